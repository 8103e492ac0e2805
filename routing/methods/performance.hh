// Performance routing: the available endpoint with the lowest latency from the client's region.
#pragma once

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing::methods {

Pick pick_performance(const Profile& profile, const HealthTable& health,
                      const ClientInfo& client) noexcept;

}  // namespace routing::methods
