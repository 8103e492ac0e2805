// Performance routing (Traffic Manager "Performance"). Subnet overrides first (a pinned
// endpoint that is available wins). Then the client (ECS address, else source) is placed by
// the profile's client_regions ranges, else located in the GeoIP database, and the first of its
// regions (state, country, continent, WORLD) that has a row in the latency table orders the
// endpoints: the lowest latency among available ones wins, so an unavailable endpoint passes to the
// next closest. Without a table, or without a row for the client, the probes' own last round trip
// decides (dnsd's vantage point, not the client's: see README). Nothing available: the profile's
// all-degraded fallback.
#include "routing/methods/performance.hh"

#include <algorithm>
#include <limits>

#include "routing/address_range.hh"
#include "routing/availability.hh"
#include "routing/geo_database.hh"
#include "routing/methods/subnet.hh"

namespace routing::methods {
namespace {

const LatencyRow* row_of(const Profile& profile, const RegionCode& region) noexcept {
  for (const LatencyRow& row : profile.latency)
    if (row.region == region) return &row;
  return nullptr;
}

// The operator's client_regions table: the most specific range holding the client, with the
// RFC 7871 scope that keeps clear of the other ranges.
const ClientRegion* placed(const Profile& profile, const ClientInfo& client,
                           std::uint8_t& scope) noexcept {
  const Uint128 address = to_number(client.address, client.is_ipv6);
  const int bits = address_bits(client.is_ipv6);
  const ClientRegion* best = nullptr;
  int needed = 0;
  for (const ClientRegion& entry : profile.client_regions) {
    if (entry.range.v6 != client.is_ipv6) continue;
    const Uint128 first = to_number(entry.range.first, client.is_ipv6);
    const Uint128 last = to_number(entry.range.last, client.is_ipv6);
    if (!contains(entry.range, address))
      needed = std::max(needed, prefix_outside(address, first, last, bits));
    else if (!best || span_of(entry.range) < span_of(best->range))
      best = &entry;
  }
  if (best)
    needed = std::max(needed, prefix_inside(address, to_number(best->range.first, client.is_ipv6),
                                            to_number(best->range.last, client.is_ipv6), bits));
  scope = std::max(scope, static_cast<std::uint8_t>(needed));
  return best;
}

const LatencyRow* row_for(const Profile& profile, const ClientInfo& client,
                          std::uint8_t& scope) noexcept {
  if (profile.latency.empty()) return nullptr;
  if (const ClientRegion* entry = placed(profile, client, scope))
    if (const LatencyRow* row = row_of(profile, entry->region)) return row;
  if (!profile.geoip) return nullptr;
  const GeoLocation location = profile.geoip->locate(client);
  scope = std::max(scope, location.prefix);
  RegionCode chain[4];
  const std::size_t count = region_chain(location, chain);
  for (std::size_t i = 0; i < count; ++i)
    for (const LatencyRow& row : profile.latency)
      if (row.region == chain[i]) return &row;
  return nullptr;
}

}  // namespace

Pick pick_performance(const Profile& profile, const HealthTable& health,
                      const ClientInfo& client) noexcept {
  Pick result;
  std::uint8_t scope = 0;
  const int pinned = match_override(profile, health, client, true, scope);
  result.scope_prefix = scope;
  if (pinned >= 0) {
    result.endpoints[0] = static_cast<std::uint16_t>(pinned);
    result.count = 1;
    return result;
  }
  const LatencyRow* row = row_for(profile, client, result.scope_prefix);
  std::uint32_t best = std::numeric_limits<std::uint32_t>::max();
  int chosen = -1;
  for (std::size_t i = 0; i < profile.endpoints.size(); ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    if (!is_available(profile, endpoint, health)) continue;
    std::uint32_t ms = std::numeric_limits<std::uint32_t>::max();
    if (row) {
      ms = row->ms[i];
    } else {
      const Health state = health.load(endpoint.health_id);
      if (state.status == MonitorStatus::online) ms = state.rtt_ms;  // else not measured yet
    }
    if (chosen < 0 || ms < best) {
      best = ms;
      chosen = static_cast<int>(i);
    }
  }
  if (chosen >= 0) {
    result.endpoints[0] = static_cast<std::uint16_t>(chosen);
    result.count = 1;
  }
  return result;
}

}  // namespace routing::methods
