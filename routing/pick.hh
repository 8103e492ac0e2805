// pick(): chooses the endpoints a query for a profile is answered with, from the profile's
// method and the current health words. Called on the query path: noexcept, no allocation,
// no lock; the result goes into a caller-owned fixed buffer.
#pragma once

#include "routing/availability.hh"
#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing {

// The types (Pick, ClientInfo, Want) are in pick_types.hh and the endpoint tests
// (is_available, is_usable, matches) in availability.hh, so the methods need not include this.
Pick pick(const Profile& profile, const HealthTable& health, const ClientInfo& client,
          Want want = Want::any) noexcept;

}  // namespace routing
