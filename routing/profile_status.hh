// A profile's monitor status, as Traffic Manager derives it from the profile's own status and
// its endpoints' states. For operators (status output, admin API); not on the query path.
#pragma once

#include <string_view>

#include "routing/health_table.hh"
#include "routing/model.hh"

namespace routing {

// "Disabled"          the profile is disabled
// "Inactive"          no endpoint is enabled (all disabled, or nested children Stopped)
// "Degraded"          at least one enabled endpoint is Degraded
// "Online"            at least one is Online (always_serve counts), none Degraded
// "CheckingEndpoints" the rest: enabled endpoints still waiting for their first verdict
std::string_view profile_monitor_status(const Profile& profile, const HealthTable& health) noexcept;

}  // namespace routing
