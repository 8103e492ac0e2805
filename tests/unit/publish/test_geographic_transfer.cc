// Geographic profiles in a transfer view: the answer for the transfer client, located in a
// real GeoIP2-format database (the tests' tiny one, tests/unit/geo_test_db.cmake).
#include <doctest/doctest.h>

#include "fixture.hh"

using namespace publish_test;
using Strings = std::vector<std::string>;

namespace {

std::string geographic(const std::string& transfer_client) {
  return zone_toml + R"(
[[profile]]
name = "shop.tm.test."
method = "geographic"
geoip_database = ")" +
         std::string(DNSD_GEO_TEST_DB) + "\"\n" + transfer_client + R"([profile.monitor]
protocol = "http"
[[profile.endpoint]]
name = "eu"
target = "eu.example."
regions = ["GEO-EU"]
[[profile.endpoint]]
name = "us"
target = "us.example."
regions = ["WORLD"]
)";
}

Strings view_at(const World& world) {
  publish::Publisher publisher;
  publisher.reload(world.inputs(world.config->publish));
  return at(*publisher.snapshot(name("tm.test."))->zone, "shop.tm.test.");
}

}  // namespace

TEST_CASE("geographic: by default the WORLD region's endpoint (the client is located nowhere)") {
  World world(geographic(""));
  CHECK(view_at(world) == Strings{"shop.tm.test. 1 CNAME us.example."});
}

TEST_CASE("geographic: a transfer client in Europe gets the GEO-EU endpoint, Degraded too") {
  World world(geographic("transfer_client = \"10.2.0.1\"\n"));  // FR
  CHECK(view_at(world) == Strings{"shop.tm.test. 1 CNAME eu.example."});
  world.fail("shop.tm.test.", "eu");  // Traffic Manager answers a Degraded match anyway
  CHECK(view_at(world) == Strings{"shop.tm.test. 1 CNAME eu.example."});
}
