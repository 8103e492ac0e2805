// Priority routing: the available endpoint with the lowest priority number.
#pragma once

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing {
struct Explanation;
}  // namespace routing

namespace routing::methods {

Pick pick_priority(const Profile& profile, const HealthTable& health) noexcept;

// explain() hook (priority_explain.cc): appends one step per endpoint looked at.
void explain_priority(const Profile& profile, const HealthTable& health, Explanation& out);

}  // namespace routing::methods
