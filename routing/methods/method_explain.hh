// Explain hooks of the methods other than priority (methods/priority.hh has its own); see
// routing/explain.hh.
#pragma once

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing {
struct Explanation;
}  // namespace routing

namespace routing::methods {

void explain_weighted(const Profile& profile, const HealthTable& health, Explanation& out);
void explain_multivalue(const Profile& profile, const HealthTable& health, Explanation& out);
void explain_subnet(const Profile& profile, const HealthTable& health, const ClientInfo& client,
                    Explanation& out);
void explain_geographic(const Profile& profile, const HealthTable& health, const ClientInfo& client,
                        Explanation& out);
void explain_performance(const Profile& profile, const HealthTable& health,
                         const ClientInfo& client, Explanation& out);

}  // namespace routing::methods
