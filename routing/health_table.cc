// Operator-facing names of health states (Traffic Manager's words).
#include "routing/health_table.hh"

namespace routing {

std::string_view to_string(MonitorStatus status) noexcept {
  switch (status) {
    case MonitorStatus::checking_endpoint:
      return "CheckingEndpoint";
    case MonitorStatus::online:
      return "Online";
    case MonitorStatus::degraded:
      return "Degraded";
    case MonitorStatus::stopped:
      return "Stopped";
  }
  return "Unknown";
}

std::string_view operator_state(const Endpoint& endpoint, const Health& health) noexcept {
  if (!endpoint.enabled || health.admin_disabled) return "Disabled";
  if (endpoint.always_serve) return "Unmonitored";  // not probed: no state to show
  return to_string(health.status);
}

std::string_view to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::none:
      return "none";
    case Reason::timeout:
      return "timeout";
    case Reason::refused:
      return "connection refused";
    case Reason::tls:
      return "tls error";
    case Reason::dns:
      return "dns error";
    case Reason::status:
      return "unexpected http status";
    case Reason::body:
      return "unexpected body";
    case Reason::other:
      return "other error";
  }
  return "unknown";
}

}  // namespace routing
