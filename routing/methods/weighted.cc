// Weighted routing (Traffic Manager "Weighted", Route 53 weighted records): the available
// endpoints are collected once into a stack array (health may change between two passes over
// the table), then one is drawn from the thread's generator. No allocation, no lock.
#include "routing/methods/weighted.hh"

#include <array>

#include "routing/availability.hh"

namespace routing::methods {

Pick pick_weighted(const Profile& profile, const HealthTable& health, Rng& rng) noexcept {
  std::array<std::uint16_t, max_endpoints> available;
  std::array<std::uint32_t, max_endpoints> cumulative;
  std::size_t count = 0;
  std::uint32_t total = 0;
  for (std::size_t i = 0; i < profile.endpoints.size() && count < max_endpoints; ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    if (!is_available(profile, endpoint, health)) continue;
    total += endpoint.weight;
    available[count] = static_cast<std::uint16_t>(i);
    cumulative[count++] = total;
  }
  Pick result;
  if (count == 0) return result;
  const std::uint32_t draw = rng.below(total);
  std::size_t k = 0;
  while (cumulative[k] <= draw) ++k;
  result.endpoints[0] = available[k];
  result.count = 1;
  return result;
}

}  // namespace routing::methods
