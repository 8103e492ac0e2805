// Profile monitor status (Traffic Manager's rules, listed in the header).
#include "routing/profile_status.hh"

namespace routing {

std::string_view profile_monitor_status(const Profile& profile,
                                        const HealthTable& health) noexcept {
  if (!profile.enabled) return "Disabled";
  bool any_enabled = false, any_online = false, any_degraded = false;
  for (const Endpoint& endpoint : profile.endpoints) {
    const Health state = health.load(endpoint.health_id);
    if (!endpoint.enabled || state.admin_disabled || state.status == MonitorStatus::stopped)
      continue;
    any_enabled = true;
    if (endpoint.always_serve || state.status == MonitorStatus::online)
      any_online = true;
    else if (state.status == MonitorStatus::degraded)
      any_degraded = true;
  }
  if (!any_enabled) return "Inactive";
  if (any_degraded) return "Degraded";
  if (any_online) return "Online";
  return "CheckingEndpoints";
}

}  // namespace routing
