// Subnet routing: the endpoint whose client range holds the client address, longest prefix
// first; an endpoint with no ranges catches the rest.
#pragma once

#include "routing/pick.hh"

namespace routing::methods {

Pick pick_subnet(const Profile& profile, const HealthTable& health, const ClientInfo& client) noexcept;

}  // namespace routing::methods
