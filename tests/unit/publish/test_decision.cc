// Each method's transferred decision: what a transfer view holds at a profile's name, from
// real configs and the live health words.
#include <doctest/doctest.h>

#include "fixture.hh"

using namespace publish_test;
using Strings = std::vector<std::string>;

namespace {

std::string endpoint(const std::string& name, const std::string& target, int priority = 0,
                     const std::string& extra = "") {
  std::string out = "[[profile.endpoint]]\nname = \"" + name + "\"\ntarget = \"" + target + "\"\n";
  if (priority) out += "priority = " + std::to_string(priority) + "\n";
  return out + extra;
}

std::string profile(const std::string& name, const std::string& method,
                    const std::string& extra = "") {
  return "\n[[profile]]\nname = \"" + name + "\"\nmethod = \"" + method + "\"\nttl = 5\n" + extra +
         "[profile.monitor]\nprotocol = \"http\"\n";
}

// The view's records at `owner` after a reload with `settings`.
Strings view_at(const World& world, const std::string& owner, publish::Settings settings = {}) {
  publish::Publisher publisher;
  publisher.reload(world.inputs(std::move(settings)));
  const auto snapshot = publisher.snapshot(name("tm.test."));
  REQUIRE(snapshot);
  const auto* node = snapshot->zone->find(name(owner).lowercased());
  CHECK((node == nullptr || !node->profile));  // a view holds no profile nodes
  return at(*snapshot->zone, owner);
}

const std::string two_fqdns = zone_toml + profile("ci.tm.test.", "priority") +
                              endpoint("eu", "eu.tenant.example.", 1) +
                              endpoint("us", "us.tenant.example.", 2);

}  // namespace

TEST_CASE("priority: the view holds a CNAME to the lowest available priority, no profile node") {
  World world(two_fqdns);
  CHECK(view_at(world, "ci.tm.test.") == Strings{"ci.tm.test. 5 CNAME eu.tenant.example."});
  world.fail("ci.tm.test.", "eu");
  CHECK(view_at(world, "ci.tm.test.") == Strings{"ci.tm.test. 5 CNAME us.tenant.example."});
}

TEST_CASE("priority: the static records of the zone are in the view as they are served") {
  World world(two_fqdns);
  CHECK(view_at(world, "ns1.tm.test.") == Strings{"ns1.tm.test. 3600 A 127.0.0.1"});
}

TEST_CASE("priority: IP endpoints give the chosen endpoint's A or AAAA record only") {
  World world(zone_toml + profile("ip.tm.test.", "priority") + endpoint("v6", "2001:db8::1", 1) +
              endpoint("v4", "192.0.2.1", 2));
  CHECK(view_at(world, "ip.tm.test.") == Strings{"ip.tm.test. 5 AAAA 2001:db8::1"});
  world.fail("ip.tm.test.", "v6");
  CHECK(view_at(world, "ip.tm.test.") == Strings{"ip.tm.test. 5 A 192.0.2.1"});
}

TEST_CASE("priority: a flattened profile gives the resolved addresses, none before resolution") {
  World world(zone_toml + profile("flat.tm.test.", "priority", "flatten = true\n") +
              endpoint("eu", "eu.tenant.example.", 1));
  CHECK(view_at(world, "flat.tm.test.").empty());  // dnsd answers SERVFAIL until resolved
  routing::AddressList list;
  list.v4_count = 1;
  list.v4[0] = {198, 51, 100, 7};
  list.v6_count = 1;
  list.v6[0] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  list.ttl = 1;
  world.flat.store(world.id("flat.tm.test.", "eu"), list);
  CHECK(view_at(world, "flat.tm.test.") ==
        Strings{"flat.tm.test. 5 A 198.51.100.7", "flat.tm.test. 5 AAAA 2001:db8::7"});
}

TEST_CASE("priority: a profile at the apex gives addresses beside the apex's SOA and NS") {
  World world(zone_toml + profile("tm.test.", "priority") +
              endpoint("eu", "eu.tenant.example.", 1));
  routing::AddressList list;
  list.v4_count = 1;
  list.v4[0] = {198, 51, 100, 8};
  world.flat.store(world.id("tm.test.", "eu"), list);
  const Strings apex = view_at(world, "tm.test.");
  CHECK(std::count_if(apex.begin(), apex.end(), [](const std::string& s) {
          return s.find(" A 198.51.100.8") != std::string::npos;
        }) == 1);
  CHECK(std::count_if(apex.begin(), apex.end(), [](const std::string& s) {
          return s.find(" SOA ") != std::string::npos;
        }) == 1);
  CHECK(std::none_of(apex.begin(), apex.end(),
                     [](const std::string& s) { return s.find("CNAME") != std::string::npos; }));
}

TEST_CASE("multivalue: the A and AAAA sets answered now, up to max_return per family") {
  World world(zone_toml + profile("api.tm.test.", "multivalue", "max_return = 2\n") +
              endpoint("a", "192.0.2.1") + endpoint("b", "192.0.2.2") + endpoint("c", "192.0.2.3") +
              endpoint("v6", "2001:db8::1"));
  CHECK(view_at(world, "api.tm.test.") == Strings{"api.tm.test. 5 A 192.0.2.1",
                                                  "api.tm.test. 5 A 192.0.2.2",
                                                  "api.tm.test. 5 AAAA 2001:db8::1"});
  world.fail("api.tm.test.", "a");
  CHECK(view_at(world, "api.tm.test.") == Strings{"api.tm.test. 5 A 192.0.2.2",
                                                  "api.tm.test. 5 A 192.0.2.3",
                                                  "api.tm.test. 5 AAAA 2001:db8::1"});
}

TEST_CASE("weighted: the heaviest available endpoint's CNAME, by default") {
  World world(zone_toml + profile("www.tm.test.", "weighted") +
              endpoint("light", "light.example.", 0, "weight = 1\n") +
              endpoint("heavy", "heavy.example.", 0, "weight = 9\n") +
              endpoint("mid", "mid.example.", 0, "weight = 5\n"));
  for (int i = 0; i < 5; ++i)  // never a random draw
    CHECK(view_at(world, "www.tm.test.") == Strings{"www.tm.test. 5 CNAME heavy.example."});
  world.fail("www.tm.test.", "heavy");
  CHECK(view_at(world, "www.tm.test.") == Strings{"www.tm.test. 5 CNAME mid.example."});
}

TEST_CASE("weighted: with the all choice, every available IP endpoint's address") {
  World world(zone_toml + profile("w.tm.test.", "weighted") +
              endpoint("a", "192.0.2.1", 0, "weight = 1\n") +
              endpoint("b", "192.0.2.2", 0, "weight = 3\n") + endpoint("c", "2001:db8::3"));
  publish::Settings settings;
  settings.profiles.resize(world.config->model.profiles.size());
  settings.profiles[0].weighted = publish::WeightedChoice::all;
  world.fail("w.tm.test.", "b");
  CHECK(view_at(world, "w.tm.test.", settings) ==
        Strings{"w.tm.test. 5 A 192.0.2.1", "w.tm.test. 5 AAAA 2001:db8::3"});
  CHECK(view_at(world, "w.tm.test.") == Strings{"w.tm.test. 5 A 192.0.2.1"});  // heaviest left
}

TEST_CASE("weighted: when nothing is available, the all-degraded answer as for a query") {
  World world(zone_toml + profile("www.tm.test.", "weighted") +
              endpoint("light", "light.example.", 0, "weight = 1\n") +
              endpoint("heavy", "heavy.example.", 0, "weight = 9\n"));
  world.fail("www.tm.test.", "light");
  world.fail("www.tm.test.", "heavy");
  CHECK(view_at(world, "www.tm.test.") == Strings{"www.tm.test. 5 CNAME light.example."});
}

TEST_CASE("subnet: the answer for the transfer client, by default one no range holds") {
  World world(zone_toml + profile("office.tm.test.", "subnet") +
              endpoint("eu", "eu.example.", 0, "ranges = [\"10.0.0.0/8\"]\n") +
              endpoint("rest", "rest.example."));
  CHECK(view_at(world, "office.tm.test.") == Strings{"office.tm.test. 5 CNAME rest.example."});
  publish::Settings settings;
  settings.profiles.resize(1);
  settings.profiles[0].client.address = {10, 1, 2, 3};
  CHECK(view_at(world, "office.tm.test.", settings) ==
        Strings{"office.tm.test. 5 CNAME eu.example."});
  world.fail("office.tm.test.", "eu");
  CHECK(view_at(world, "office.tm.test.", settings) ==
        Strings{"office.tm.test. 5 CNAME rest.example."});
}

TEST_CASE("performance: the lowest latency available endpoint for the transfer client's region") {
  World world(zone_toml + profile("shop.tm.test.", "performance", R"([profile.client_regions]
"GEO-EU" = ["10.0.0.0/8"]
[profile.latency]
"GEO-EU" = { westeurope = 12, eastus = 85 }
WORLD = { westeurope = 120, eastus = 20 }
)") + endpoint("eu", "eu.example.", 0, "location = \"westeurope\"\n") +
              endpoint("us", "us.example.", 0, "location = \"eastus\"\n"));
  // The default client is in no client region and there is no GeoIP database: no row, so
  // the probes' round trips decide.
  world.writer.probed(world.id("shop.tm.test.", "eu"), routing::MonitorStatus::online,
                      routing::Reason::none, 50);
  world.writer.probed(world.id("shop.tm.test.", "us"), routing::MonitorStatus::online,
                      routing::Reason::none, 5);
  CHECK(view_at(world, "shop.tm.test.") == Strings{"shop.tm.test. 5 CNAME us.example."});
  publish::Settings settings;
  settings.profiles.resize(1);
  settings.profiles[0].client.address = {10, 0, 0, 1};
  CHECK(view_at(world, "shop.tm.test.", settings) == Strings{"shop.tm.test. 5 CNAME eu.example."});
  world.fail("shop.tm.test.", "eu");
  CHECK(view_at(world, "shop.tm.test.", settings) == Strings{"shop.tm.test. 5 CNAME us.example."});
}

TEST_CASE("nested: the leaf profile's choice under the parent's name, with the leaf's TTL") {
  World world(
      zone_toml + profile("global.tm.test.", "priority") +
      "[[profile.endpoint]]\nname = \"europe\"\nprofile = \"europe.tm.test.\"\npriority = 1\n" +
      endpoint("standby", "192.0.2.99", 2) +
      "\n[[profile]]\nname = \"europe.tm.test.\"\nmethod = \"priority\"\nttl = 30\n"
      "[profile.monitor]\nprotocol = \"http\"\n" +
      endpoint("de", "de.example.", 1) + endpoint("fr", "fr.example.", 2));
  CHECK(view_at(world, "global.tm.test.") == Strings{"global.tm.test. 30 CNAME de.example."});
  world.fail("europe.tm.test.", "de");
  CHECK(view_at(world, "global.tm.test.") == Strings{"global.tm.test. 30 CNAME fr.example."});
  world.fail("europe.tm.test.", "fr");  // the child is no longer available in the parent
  CHECK(view_at(world, "global.tm.test.") == Strings{"global.tm.test. 5 A 192.0.2.99"});
}

TEST_CASE("a disabled profile: nothing at its name, as dnsd answers NXDOMAIN") {
  World world(zone_toml + profile("off.tm.test.", "priority", "status = \"disabled\"\n") +
              endpoint("eu", "eu.example.", 1));
  CHECK(view_at(world, "off.tm.test.").empty());
}
