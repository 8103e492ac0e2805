// is_available(), is_usable() and matches(): reads of one health word and the endpoint's
// config, nothing else. No method logic here.
#include "routing/availability.hh"

namespace routing {

// A Stopped child (a disabled profile) answers nothing, so even the fallback skips it.
bool is_usable(const Endpoint& endpoint, const HealthTable& health) noexcept {
  const Health state = health.load(endpoint.health_id);
  return endpoint.enabled && !state.admin_disabled && state.status != MonitorStatus::stopped;
}

bool is_available(const Profile& profile, const Endpoint& endpoint,
                  const HealthTable& health) noexcept {
  if (!endpoint.enabled) return false;
  const Health state = health.load(endpoint.health_id);
  if (state.admin_disabled) return false;
  if (endpoint.always_serve) return true;
  return state.status == MonitorStatus::online ||
         (state.status == MonitorStatus::checking_endpoint && profile.serve_while_checking);
}

bool matches(const Endpoint& endpoint, Want want) noexcept {
  switch (want) {
    case Want::ipv4:
      return endpoint.kind == TargetKind::ipv4;
    case Want::ipv6:
      return endpoint.kind == TargetKind::ipv6;
    case Want::any:
      break;
  }
  return true;
}

}  // namespace routing
