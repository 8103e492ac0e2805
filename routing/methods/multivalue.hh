// Multivalue routing: every available IP endpoint of the query's family, up to max_return.
#pragma once

#include "routing/pick.hh"

namespace routing::methods {

Pick pick_multivalue(const Profile& profile, const HealthTable& health, Want want) noexcept;

}  // namespace routing::methods
