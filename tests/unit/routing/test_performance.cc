// Performance routing: a latency table by client region, else the probes' round trips.
#include <doctest/doctest.h>

#include <limits>
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

// Endpoints 0 westeurope, 1 eastus, 2 japaneast; rows for GEO-EU, US and WORLD.
Profile perf_profile(bool with_table = true) {
  Profile profile;
  profile.name = "perf.example.";
  profile.method = Method::performance;
  const char* locations[] = {"westeurope", "eastus", "japaneast"};
  for (std::uint16_t i = 0; i < 3; ++i) {
    Endpoint endpoint;
    endpoint.name = locations[i];
    endpoint.location = locations[i];
    endpoint.kind = TargetKind::ipv4;
    endpoint.health_id = i;
    profile.endpoints.push_back(endpoint);
  }
  if (!with_table) return profile;
  std::string why;
  profile.geoip = GeoDatabase::open(DNSD_GEO_TEST_DB, why);
  REQUIRE(profile.geoip);
  profile.latency = {LatencyRow{region("GEO-EU"), {10, 90, 200}},
                     LatencyRow{region("US"), {90, 12, 150}},
                     LatencyRow{region("WORLD"), {100, 100, 100}}};
  return profile;
}

int chosen(const Pick& pick) { return pick.count ? pick.endpoints[0] : -1; }

}  // namespace

TEST_CASE("performance: the lowest latency from the client's region wins, then the next closest") {
  const Profile profile = perf_profile();
  HealthTable health(3);
  HealthWriter writer(health);
  for (EndpointId id = 0; id < 3; ++id) writer.probed(id, MonitorStatus::online, Reason::none, 5);
  CHECK(chosen(pick(profile, health, client_at("10.2.0.1"))) == 0);     // FR -> GEO-EU row
  CHECK(chosen(pick(profile, health, client_at("2001:db8::1"))) == 1);  // US row
  CHECK(chosen(pick(profile, health, client_at("10.4.0.1"))) == 0);  // JP -> WORLD: all 100, first
  CHECK(pick(profile, health, client_at("10.2.0.1")).scope_prefix == 16);
  writer.probed(0, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(chosen(pick(profile, health, client_at("10.2.0.1"))) == 1);  // 90 ms is next closest
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(chosen(pick(profile, health, client_at("10.2.0.1"))) == 2);
  writer.probed(2, MonitorStatus::degraded, Reason::timeout, 0);
  const Pick none = pick(profile, health, client_at("10.2.0.1"));
  CHECK(none.all_degraded);  // the profile's all-degraded behaviour
  CHECK(chosen(none) == 0);
}

TEST_CASE("performance: without a latency table the probes' round trips decide") {
  const Profile profile = perf_profile(false);
  HealthTable health(3);
  HealthWriter writer(health);
  writer.probed(0, MonitorStatus::online, Reason::none, 40);
  writer.probed(1, MonitorStatus::online, Reason::none, 7);
  writer.probed(2, MonitorStatus::online, Reason::none, 20);
  CHECK(chosen(pick(profile, health, client_at("10.2.0.1"))) == 1);
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(chosen(pick(profile, health, client_at("10.2.0.1"))) == 2);
}

TEST_CASE("performance: a subnet override pins clients to an available endpoint") {
  Profile profile = perf_profile();
  AddressRange pinned;
  std::string why;
  REQUIRE(parse_range("10.2.9.0/24", pinned, why));
  profile.endpoints[2].ranges = {pinned};
  HealthTable health(3);
  HealthWriter writer(health);
  for (EndpointId id = 0; id < 3; ++id) writer.probed(id, MonitorStatus::online, Reason::none, 5);
  CHECK(chosen(pick(profile, health, client_at("10.2.9.1"))) == 2);
  writer.probed(2, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(chosen(pick(profile, health, client_at("10.2.9.1"))) == 0);  // down: by latency again
}

TEST_CASE("performance: client_regions place clients before the GeoIP database") {
  Profile profile = perf_profile();
  AddressRange range;
  std::string why;
  REQUIRE(parse_range("10.2.0.0/16", range, why));  // France in the database; placed in the US
  profile.client_regions = {ClientRegion{range, region("US")}};
  HealthTable health(3);
  HealthWriter writer(health);
  for (EndpointId id = 0; id < 3; ++id) writer.probed(id, MonitorStatus::online, Reason::none, 5);
  const Pick placed = pick(profile, health, client_at("10.2.0.1"));
  CHECK(chosen(placed) == 1);  // the US row
  CHECK(placed.scope_prefix == 16);
  CHECK(chosen(pick(profile, health, client_at("10.1.0.1"))) == 0);  // not placed: GeoIP (DE)
}
