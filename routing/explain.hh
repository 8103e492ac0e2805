// explain(): why a client gets the answer it gets, step by step, for the admin API and
// `dnsctl explain`. Each method contributes its own steps through a hook next to its pick
// (methods/<method>.hh: explain_<method>); the steps shared by every method (the all-degraded
// fallback) are added here. Allocates freely: never called on the query path.
#pragma once

#include <string_view>

#include "routing/explanation.hh"  // Explanation, describe_endpoint()
#include "routing/pick.hh"

namespace routing {

std::string_view to_string(Method method) noexcept;  // "priority", "weighted", ...

Explanation explain(const Profile& profile, const HealthTable& health, const ClientInfo& client);

}  // namespace routing
