// explain(): why a client gets the answer it gets, step by step, for the admin API and
// `dnsctl explain`. Each method contributes its own steps through a hook next to its pick
// (methods/<method>.hh: explain_<method>); the steps shared by every method (the all-degraded
// fallback) are added here. Allocates freely: never called on the query path.
#pragma once

#include <string>
#include <vector>

#include "routing/pick.hh"

namespace routing {

struct Explanation {
  std::vector<std::string> steps;  // in the order the decision is taken
  Pick pick;                       // the same result pick() gives
};

std::string_view to_string(Method method) noexcept;  // "priority", "weighted", ...

// One line for an endpoint's state as routing sees it: "eu (priority 1): Degraded, skipped".
std::string describe_endpoint(const Profile& profile, const Endpoint& endpoint,
                              const HealthTable& health);

Explanation explain(const Profile& profile, const HealthTable& health, const ClientInfo& client);

}  // namespace routing
