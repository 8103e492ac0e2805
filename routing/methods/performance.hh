// Performance routing: the available endpoint with the lowest latency from the client's region.
#pragma once

#include "routing/pick.hh"

namespace routing::methods {

Pick pick_performance(const Profile& profile, const HealthTable& health, const ClientInfo& client) noexcept;

}  // namespace routing::methods
