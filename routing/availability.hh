// Whether an endpoint may be answered, from the config and its health word: the tests every
// method and the all-degraded fallback share. Query path: noexcept, no allocation, no lock.
#pragma once

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing {

// True when the endpoint may be answered right now: enabled in the config, not switched off by
// hand, and Online (or still CheckingEndpoint where the profile serves those).
// always_serve endpoints are available unless switched off by hand.
bool is_available(const Profile& profile, const Endpoint& endpoint,
                  const HealthTable& health) noexcept;
// May be answered at all: enabled in the config and not switched off by hand (the all-degraded
// fallback answers these).
bool is_usable(const Endpoint& endpoint, const HealthTable& health) noexcept;
// Whether the endpoint can answer a query of this family (multivalue keeps only those).
bool matches(const Endpoint& endpoint, Want want) noexcept;

}  // namespace routing
