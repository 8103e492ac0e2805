// pick(): chooses the endpoints a query for a profile is answered with, from the profile's
// method and the current health words. Called on the query path: noexcept, no allocation,
// no lock; the result goes into a caller-owned fixed buffer.
#pragma once

#include <array>
#include <cstdint>

#include "routing/health_table.hh"
#include "routing/model.hh"

namespace routing {

inline constexpr std::size_t max_picked = 16;

// What is known of the client, for the methods that route by it (subnet, geographic).
struct ClientInfo {
  std::array<std::uint8_t, 16> address{};  // IPv4 in the first 4 bytes
  bool is_ipv6 = false;
  std::uint8_t source_prefix = 0;          // from EDNS Client Subnet, 0 when absent
  bool has_ecs = false;
};

// The address family the query asks for: multivalue answers only endpoints of that family.
enum class Want : std::uint8_t { any, ipv4, ipv6 };

struct Pick {
  std::uint8_t count = 0;
  std::array<std::uint16_t, max_picked> endpoints{};  // indexes into Profile::endpoints
  bool all_degraded = false;  // nothing was available; the profile's fallback chose these
  // The method found no endpoint for this client at all (subnet: no range and no fallback):
  // NODATA, not the all-degraded fallback.
  bool no_match = false;
  // RFC 7871 SCOPE PREFIX-LENGTH: how many leading bits of the client address the answer
  // depended on (0: not on the address at all).
  std::uint8_t scope_prefix = 0;
};

// True when the endpoint may be answered right now: enabled in the config, not switched off by
// hand, and Online (or still CheckingEndpoint where the profile serves those).
// always_serve endpoints are available unless switched off by hand.
bool is_available(const Profile& profile, const Endpoint& endpoint, const HealthTable& health) noexcept;
// May be answered at all: enabled in the config and not switched off by hand (the all-degraded
// fallback answers these).
bool is_usable(const Endpoint& endpoint, const HealthTable& health) noexcept;
// Whether the endpoint can answer a query of this family (multivalue keeps only those).
bool matches(const Endpoint& endpoint, Want want) noexcept;

Pick pick(const Profile& profile, const HealthTable& health, const ClientInfo& client,
          Want want = Want::any) noexcept;

}  // namespace routing
