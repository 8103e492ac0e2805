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

struct Pick {
  std::uint8_t count = 0;
  std::array<std::uint16_t, max_picked> endpoints{};  // indexes into Profile::endpoints
  bool all_degraded = false;  // nothing was available; the profile's fallback chose these
};

// True when the endpoint may be answered right now: enabled in the config, not switched off by
// hand, and Online (or still CheckingEndpoint where the profile serves those).
bool is_available(const Profile& profile, const Endpoint& endpoint, const HealthTable& health) noexcept;

Pick pick(const Profile& profile, const HealthTable& health, const ClientInfo& client) noexcept;

}  // namespace routing
