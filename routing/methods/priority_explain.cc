// Priority's explain hook: walks the endpoints in priority order as pick_priority() does,
// one step per endpoint looked at, and stops at the first available one.
#include <fmt/format.h>

#include "routing/availability.hh"
#include "routing/explanation.hh"
#include "routing/methods/priority.hh"

namespace routing::methods {

void explain_priority(const Profile& profile, const HealthTable& health, Explanation& out) {
  out.steps.push_back("endpoints are tried in priority order; the first available one wins");
  for (const auto& endpoint : profile.endpoints) {
    out.steps.push_back(fmt::format("priority {}: {}", endpoint.priority,
                                    describe_endpoint(profile, endpoint, health)));
    if (is_available(profile, endpoint, health)) {
      out.steps.push_back(
          fmt::format("chosen: {} (lowest priority number available)", endpoint.name));
      return;
    }
  }
}

}  // namespace routing::methods
