// Geographic routing: the endpoint of the most specific region the client is located in.
#pragma once

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing::methods {

Pick pick_geographic(const Profile& profile, const HealthTable& health,
                     const ClientInfo& client) noexcept;

}  // namespace routing::methods
