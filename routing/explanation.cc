// describe_endpoint(): an endpoint's config and health state in the operator's words, for the
// explain steps. No decision is taken here.
#include "routing/explanation.hh"

#include <fmt/format.h>

#include "routing/availability.hh"

namespace routing {
namespace {

std::string_view state_word(const Profile& profile, const Endpoint& endpoint,
                            const HealthTable& health) {
  if (!endpoint.enabled) return "disabled in the config";
  const Health h = health.load(endpoint.health_id);
  if (h.admin_disabled) return "disabled by an operator";
  if (h.status == MonitorStatus::checking_endpoint)
    return profile.serve_while_checking ? "CheckingEndpoint (served until the first verdict)"
                                        : "CheckingEndpoint (not served until the first verdict)";
  return to_string(h.status);
}

}  // namespace

std::string describe_endpoint(const Profile& profile, const Endpoint& endpoint,
                              const HealthTable& health) {
  return fmt::format("{} ({}): {}, {}", endpoint.name, endpoint.target,
                     state_word(profile, endpoint, health),
                     is_available(profile, endpoint, health) ? "available" : "skipped");
}

}  // namespace routing
