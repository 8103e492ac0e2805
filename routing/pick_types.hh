// What pick() takes and gives: the client it routes for, the family asked for, and the Pick
// result with its fixed-size endpoint buffer. Plain data shared by pick() and every method;
// no functions here, so a method never needs pick.hh (which includes every method).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace routing {

inline constexpr std::size_t max_picked = 16;

// What is known of the client, for the methods that route by it (subnet, geographic).
struct ClientInfo {
  std::array<std::uint8_t, 16> address{};  // IPv4 in the first 4 bytes
  bool is_ipv6 = false;
  std::uint8_t source_prefix = 0;  // from EDNS Client Subnet, 0 when absent
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

}  // namespace routing
