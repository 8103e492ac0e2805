// Method dispatch and the all-degraded fallback, shared by every method.
#include "routing/pick.hh"

#include "routing/methods/priority.hh"

namespace routing {

bool is_available(const Profile& profile, const Endpoint& endpoint, const HealthTable& health) noexcept {
  if (!endpoint.enabled) return false;
  const Health state = health.load(endpoint.health_id);
  if (state.admin_disabled) return false;
  return state.status == MonitorStatus::online ||
         (state.status == MonitorStatus::checking_endpoint && profile.serve_while_checking);
}

namespace {

bool usable(const Endpoint& endpoint, const HealthTable& health) noexcept {
  return endpoint.enabled && !health.load(endpoint.health_id).admin_disabled;
}

// Nothing available: answer as if every enabled endpoint were healthy (Traffic Manager), never
// an empty answer because probes failed. `first` keeps only the top one; `all` keeps every one,
// and the engine answers all that the query type allows (several A/AAAA, a single CNAME).
Pick fallback(const Profile& profile, const HealthTable& health) noexcept {
  Pick result;
  result.all_degraded = true;
  for (std::size_t i = 0; i < profile.endpoints.size() && result.count < max_picked; ++i) {
    if (!usable(profile.endpoints[i], health)) continue;
    result.endpoints[result.count++] = static_cast<std::uint16_t>(i);
    if (profile.all_degraded == AllDegraded::first) break;
  }
  return result;
}

}  // namespace

Pick pick(const Profile& profile, const HealthTable& health, const ClientInfo& /*client*/) noexcept {
  Pick result;
  switch (profile.method) {
    case Method::priority:
      result = methods::pick_priority(profile, health);
      break;
    default:  // conf/ accepts only implemented methods
      break;
  }
  if (result.count == 0) result = fallback(profile, health);
  return result;
}

}  // namespace routing
