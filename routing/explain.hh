// explain(): why a client gets the answer it gets, step by step, for the admin API and
// `dnsctl explain`. Each method contributes its own steps through a hook, explain_<method>():
// priority's is declared in methods/priority.hh and defined in methods/priority_explain.cc; the
// other five are declared together in methods/method_explain.hh and defined in
// methods/method_explain.cc (not next to their picks). explain.cc dispatches to them and adds
// the steps every method shares (the all-degraded fallback). Allocates freely: never called on
// the query path.
#pragma once

#include <string_view>

#include "routing/explanation.hh"  // Explanation, describe_endpoint()
#include "routing/pick.hh"

namespace routing {

std::string_view to_string(Method method) noexcept;  // "priority", "weighted", ...

Explanation explain(const Profile& profile, const HealthTable& health, const ClientInfo& client);

}  // namespace routing
