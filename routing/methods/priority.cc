// Priority routing (Traffic Manager "Priority"): endpoints are kept sorted by priority at load,
// so the first available one wins.
#include "routing/methods/priority.hh"

#include "routing/availability.hh"

namespace routing::methods {

Pick pick_priority(const Profile& profile, const HealthTable& health) noexcept {
  Pick result;
  for (std::size_t i = 0; i < profile.endpoints.size(); ++i) {
    if (is_available(profile, profile.endpoints[i], health)) {
      result.endpoints[0] = static_cast<std::uint16_t>(i);
      result.count = 1;
      return result;
    }
  }
  return result;
}

}  // namespace routing::methods
