// Geographic routing (Traffic Manager "Geographic"): the client (ECS address, else the source)
// is located in the operator's GeoIP database, then its regions are tried from the most
// specific (state, country, continent, WORLD); a region maps to one endpoint (conf/ checks).
// As Traffic Manager, a matched endpoint is answered even when Degraded; with
// fallback = "parent_region" the next region up with an available endpoint answers instead.
// Disabled endpoints are always passed over. No region matches: NODATA.
#include "routing/methods/geographic.hh"

#include <algorithm>

#include "routing/availability.hh"
#include "routing/geo_database.hh"
#include "routing/methods/subnet.hh"

namespace routing::methods {
namespace {

int endpoint_of(const Profile& profile, const RegionCode& code) noexcept {
  for (const GeoRegion& region : profile.regions)
    if (region.code == code) return region.endpoint;
  return -1;
}

}  // namespace

Pick pick_geographic(const Profile& profile, const HealthTable& health,
                     const ClientInfo& client) noexcept {
  Pick result;
  result.no_match = true;  // geographic never answers another region's endpoint
  // Subnet overrides first: a client range pinned to an endpoint beats its location. A pinned
  // endpoint that is down is answered like a region's (Degraded served unless parent_region,
  // which goes on to the location); a disabled one is passed over.
  std::uint8_t override_scope = 0;
  const int pinned = match_override(profile, health, client, false, override_scope);
  if (pinned >= 0) {
    const bool available =
        is_available(profile, profile.endpoints[static_cast<std::size_t>(pinned)], health);
    if (available || profile.geo_fallback == GeoFallback::none) {
      result.endpoints[0] = static_cast<std::uint16_t>(pinned);
      result.count = 1;
      result.all_degraded = !available;
      result.scope_prefix = override_scope;
      return result;
    }
  }
  if (!profile.geoip) return result;
  const GeoLocation location = profile.geoip->locate(client);
  result.scope_prefix = std::max(location.prefix, override_scope);
  RegionCode chain[4];
  const std::size_t count = region_chain(location, chain);
  int degraded = -1;
  for (std::size_t i = 0; i < count; ++i) {
    const int e = endpoint_of(profile, chain[i]);
    if (e < 0) continue;
    const Endpoint& endpoint = profile.endpoints[static_cast<std::size_t>(e)];
    if (!is_usable(endpoint, health)) continue;
    const bool available = is_available(profile, endpoint, health);
    if (available || profile.geo_fallback == GeoFallback::none) {
      result.endpoints[0] = static_cast<std::uint16_t>(e);
      result.count = 1;
      result.all_degraded = !available;
      return result;
    }
    if (degraded < 0) degraded = e;
  }
  if (degraded >= 0) {  // parent_region found nothing healthy: the most specific match anyway
    result.endpoints[0] = static_cast<std::uint16_t>(degraded);
    result.count = 1;
    result.all_degraded = true;
  }
  return result;
}

}  // namespace routing::methods
