// Multivalue routing (Traffic Manager "MultiValue"): IP endpoints only (conf/ checks), all the
// available ones that match the query type, in config order, up to the profile's max_return.
#include "routing/methods/multivalue.hh"

#include <algorithm>

#include "routing/availability.hh"

namespace routing::methods {

Pick pick_multivalue(const Profile& profile, const HealthTable& health, Want want) noexcept {
  Pick result;
  const std::size_t cap = std::min<std::size_t>(profile.max_return, max_picked);
  for (std::size_t i = 0; i < profile.endpoints.size() && result.count < cap; ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    if (!matches(endpoint, want) || !is_available(profile, endpoint, health)) continue;
    result.endpoints[result.count++] = static_cast<std::uint16_t>(i);
  }
  return result;
}

}  // namespace routing::methods
