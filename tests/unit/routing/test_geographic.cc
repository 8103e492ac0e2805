// Geographic routing against a tiny GeoIP2-format database built by the tests
// (tests/unit/geo_test_db.cmake lists its networks).
#include <doctest/doctest.h>

#include <string>

#include "geo_fixture.hh"
#include "routing/address_range.hh"
#include "routing/geo_database.hh"
#include "routing/health_writer.hh"
#include "routing/pick.hh"

using namespace routing;
using routing_test::client_at;
using routing_test::region;

namespace {

// Endpoints: 0 "bavaria" (DE-BY), 1 "germany" (DE), 2 "europe" (GEO-EU), 3 "world" (WORLD),
// 4 "california" (US-CA).
Profile geo_profile() {
  Profile profile;
  profile.name = "geo.example.";
  profile.method = Method::geographic;
  std::string why;
  profile.geoip = GeoDatabase::open(DNSD_GEO_TEST_DB, why);
  REQUIRE_MESSAGE(profile.geoip, why);
  const char* names[] = {"bavaria", "germany", "europe", "world", "california"};
  const char* regions[] = {"DE-BY", "DE", "GEO-EU", "WORLD", "us-ca"};
  for (std::uint16_t i = 0; i < 5; ++i) {
    Endpoint endpoint;
    endpoint.name = names[i];
    endpoint.kind = TargetKind::ipv4;
    endpoint.health_id = i;
    profile.endpoints.push_back(endpoint);
    profile.regions.push_back(GeoRegion{region(regions[i]), i});
  }
  return profile;
}

void all_online(HealthWriter& writer) {
  for (EndpointId id = 0; id < writer.size(); ++id)
    writer.probed(id, MonitorStatus::online, Reason::none, 5);
}

int chosen(const Pick& pick) { return pick.count ? pick.endpoints[0] : -1; }

}  // namespace

TEST_CASE("geo database: locates IPv4 and IPv6 clients with the network's prefix") {
  std::string why;
  const auto db = GeoDatabase::open(DNSD_GEO_TEST_DB, why);
  REQUIRE(db);
  const auto bavaria = db->locate(client_at("10.1.2.3"));
  CHECK(bavaria.found);
  CHECK(std::string(bavaria.country, 2) == "DE");
  CHECK(std::string(bavaria.subdivision, 2) == "BY");
  CHECK(bavaria.prefix == 16);
  const auto germany = db->locate(client_at("10.200.0.1"));
  CHECK(germany.prefix == 9);  // 10.128.0.0/9 holds no more specific network
  const auto ny = db->locate(client_at("2001:db8::1"));
  CHECK(std::string(ny.continent, 2) == "NA");
  CHECK(ny.prefix == 32);
  CHECK_FALSE(db->locate(client_at("192.0.2.1")).found);
  CHECK_FALSE(GeoDatabase::open("/nonexistent.mmdb", why));
  CHECK_FALSE(why.empty());
}

TEST_CASE("geographic: the most specific region wins: state, country, continent, WORLD") {
  const Profile profile = geo_profile();
  HealthTable health(5);
  HealthWriter writer(health);
  all_online(writer);
  CHECK(chosen(pick(profile, health, client_at("10.1.2.3"))) == 0);     // DE-BY
  CHECK(chosen(pick(profile, health, client_at("10.200.0.1"))) == 1);   // DE
  CHECK(chosen(pick(profile, health, client_at("10.2.0.1"))) == 2);     // FR -> GEO-EU
  CHECK(chosen(pick(profile, health, client_at("10.3.0.1"))) == 4);     // US-CA
  CHECK(chosen(pick(profile, health, client_at("2001:db8::1"))) == 3);  // US-NY -> WORLD
  CHECK(chosen(pick(profile, health, client_at("192.0.2.1"))) == 3);    // unknown -> WORLD
  CHECK(pick(profile, health, client_at("10.1.2.3")).scope_prefix == 16);
}

TEST_CASE("geographic: no region matches is NODATA, not the all-degraded fallback") {
  Profile profile = geo_profile();
  profile.regions.pop_back();                          // no US-CA
  profile.regions.erase(profile.regions.begin() + 3);  // no WORLD
  HealthTable health(5);
  HealthWriter writer(health);
  all_online(writer);
  const Pick none = pick(profile, health, client_at("10.3.0.1"));
  CHECK(none.count == 0);
  CHECK(none.no_match);
}

TEST_CASE("geographic: a Degraded match is answered (Traffic Manager) unless parent_region") {
  Profile profile = geo_profile();
  HealthTable health(5);
  HealthWriter writer(health);
  all_online(writer);
  writer.probed(0, MonitorStatus::degraded, Reason::timeout, 0);
  Pick p = pick(profile, health, client_at("10.1.2.3"));
  CHECK(chosen(p) == 0);
  CHECK(p.all_degraded);
  profile.geo_fallback = GeoFallback::parent_region;
  CHECK(chosen(pick(profile, health, client_at("10.1.2.3"))) == 1);
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);
  writer.probed(2, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(chosen(pick(profile, health, client_at("10.1.2.3"))) == 3);
  writer.probed(3, MonitorStatus::degraded, Reason::timeout, 0);
  p = pick(profile, health, client_at("10.1.2.3"));
  CHECK(chosen(p) == 0);  // nothing healthy up the chain: the most specific match anyway
  CHECK(p.all_degraded);
  // A disabled endpoint is passed over in both modes.
  profile.geo_fallback = GeoFallback::none;
  profile.endpoints[0].enabled = false;
  CHECK(chosen(pick(profile, health, client_at("10.1.2.3"))) == 1);
}

TEST_CASE("geographic: region codes") {
  RegionCode code{};
  std::string why;
  CHECK(parse_region("geo-eu", code, why));
  CHECK(std::string(code.data()) == "GEO-EU");
  CHECK(parse_region("GB-ENG", code, why));
  CHECK_FALSE(parse_region("GEO-XX", code, why));
  CHECK_FALSE(parse_region("Europe", code, why));
  CHECK_FALSE(parse_region("D1", code, why));
}

TEST_CASE("geographic: a subnet override pins client ranges before the location") {
  Profile profile = geo_profile();
  AddressRange pinned;
  std::string why;
  REQUIRE(parse_range("10.1.2.0/24", pinned, why));
  profile.endpoints[4].ranges = {pinned};  // Bavarian office pinned to the California endpoint
  HealthTable health(5);
  HealthWriter writer(health);
  all_online(writer);
  Pick p = pick(profile, health, client_at("10.1.2.3"));
  CHECK(chosen(p) == 4);
  CHECK(p.scope_prefix == 24);
  p = pick(profile, health, client_at("10.1.3.1"));
  CHECK(chosen(p) == 0);        // outside the override: DE-BY by location
  CHECK(p.scope_prefix == 24);  // 10.1.3.0/24 stays clear of the pinned 10.1.2.0/24
  writer.probed(4, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(chosen(pick(profile, health, client_at("10.1.2.3"))) == 4);  // served Degraded, as regions
  profile.geo_fallback = GeoFallback::parent_region;
  CHECK(chosen(pick(profile, health, client_at("10.1.2.3"))) == 0);  // on to the location
}
