// Subnet routing (Traffic Manager "Subnet"). The client address is the EDNS Client Subnet
// address when the query has one, else the source address (the engine fills ClientInfo).
// Ranges nest or are disjoint (conf/ refuses partial overlaps), so "longest prefix" is the
// smallest range that holds the address. When the matched endpoint is unavailable the next
// enclosing range's endpoint, then the fallback endpoint, answer; when none is available the
// most specific usable one answers anyway (all degraded); no range and no fallback: NODATA.
#include "routing/methods/subnet.hh"

#include <algorithm>

#include "routing/address_range.hh"
#include "routing/availability.hh"

namespace routing::methods {
namespace {

struct Choice {
  int endpoint = -1;
  Uint128 span = 0;
};

// The smallest range holding `address` among endpoints that pass `ok`; the fallback endpoint
// (no ranges) when none does.
template <class Ok>
int choose(const Profile& profile, Uint128 address, bool v6, Ok ok) noexcept {
  Choice best;
  int fallback = -1;
  for (std::size_t i = 0; i < profile.endpoints.size(); ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    if (!ok(endpoint)) continue;
    if (endpoint.ranges.empty() && fallback < 0) fallback = static_cast<int>(i);
    for (const AddressRange& range : endpoint.ranges) {
      if (range.v6 != v6 || !contains(range, address)) continue;
      const Uint128 span = span_of(range);
      if (best.endpoint < 0 || span < best.span) best = {static_cast<int>(i), span};
    }
  }
  return best.endpoint >= 0 ? best.endpoint : fallback;
}

// RFC 7871 §7.2.1: the scope covers every address that gets this same answer: inside the
// most specific range holding the client, and clear of every range that does not hold it.
std::uint8_t scope_for(const Profile& profile, Uint128 address, bool v6) noexcept {
  const int bits = address_bits(v6);
  const AddressRange* matched = nullptr;
  int scope = 0;
  for (const Endpoint& endpoint : profile.endpoints)
    for (const AddressRange& range : endpoint.ranges) {
      if (range.v6 != v6) continue;
      if (!contains(range, address)) {
        scope = std::max(scope, prefix_outside(address, to_number(range.first, v6),
                                               to_number(range.last, v6), bits));
      } else if (!matched || span_of(range) < span_of(*matched)) {
        matched = &range;
      }
    }
  if (matched)
    scope = std::max(scope, prefix_inside(address, to_number(matched->first, v6),
                                          to_number(matched->last, v6), bits));
  return static_cast<std::uint8_t>(scope);
}

}  // namespace

int match_override(const Profile& profile, const HealthTable& health, const ClientInfo& client,
                   bool need_available, std::uint8_t& scope) noexcept {
  const Uint128 address = to_number(client.address, client.is_ipv6);
  scope = scope_for(profile, address, client.is_ipv6);
  return choose(profile, address, client.is_ipv6, [&](const Endpoint& e) {
    return !e.ranges.empty() &&
           (need_available ? is_available(profile, e, health) : is_usable(e, health));
  });
}

Pick pick_subnet(const Profile& profile, const HealthTable& health,
                 const ClientInfo& client) noexcept {
  Pick result;
  const Uint128 address = to_number(client.address, client.is_ipv6);
  result.scope_prefix = scope_for(profile, address, client.is_ipv6);
  int chosen = choose(profile, address, client.is_ipv6,
                      [&](const Endpoint& e) { return is_available(profile, e, health); });
  if (chosen < 0) {
    chosen = choose(profile, address, client.is_ipv6,
                    [&](const Endpoint& e) { return is_usable(e, health); });
    result.all_degraded = chosen >= 0;
  }
  if (chosen < 0) {
    result.no_match = true;
    return result;
  }
  result.endpoints[0] = static_cast<std::uint16_t>(chosen);
  result.count = 1;
  return result;
}

}  // namespace routing::methods
