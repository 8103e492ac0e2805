// Priority routing: the available endpoint with the lowest priority number.
#pragma once

#include "routing/pick.hh"

namespace routing::methods {

Pick pick_priority(const Profile& profile, const HealthTable& health) noexcept;

}  // namespace routing::methods
