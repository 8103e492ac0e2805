// Multivalue routing: every available IP endpoint of the query's family, up to max_return.
#pragma once

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing::methods {

Pick pick_multivalue(const Profile& profile, const HealthTable& health, Want want) noexcept;

}  // namespace routing::methods
