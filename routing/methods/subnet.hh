// Subnet routing: the endpoint whose client range holds the client address, longest prefix
// first; an endpoint with no ranges catches the rest.
#pragma once

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing::methods {

Pick pick_subnet(const Profile& profile, const HealthTable& health,
                 const ClientInfo& client) noexcept;

// Subnet overrides of geographic profiles: the endpoint whose range most specifically holds
// the client among endpoints that are usable (and available, when asked), or -1; the fallback
// endpoint idea does not apply. `scope` gets the RFC 7871 scope of the ranges' answer.
int match_override(const Profile& profile, const HealthTable& health, const ClientInfo& client,
                   bool need_available, std::uint8_t& scope) noexcept;

}  // namespace routing::methods
