// The config keys of publish/: [publish] and each profile's transfer_client and
// transfer_weighted, read by conf::load_string, and the views made with them.
#include <doctest/doctest.h>

#include "fixture.hh"

using namespace publish_test;
using Strings = std::vector<std::string>;

namespace {

// The one error of a config that must not load, as "KEY: message".
std::string error_of(const std::string& toml) {
  const auto loaded = conf::load_string(toml, "inline.toml");
  REQUIRE(!loaded.config);
  REQUIRE(loaded.errors.size() == 1);
  return loaded.errors[0].key + ": " + loaded.errors[0].message;
}

Strings view_at(const World& world, const std::string& owner) {
  publish::Publisher publisher;
  publisher.reload(world.inputs(world.config->publish));
  return at(*publisher.snapshot(name("tm.test."))->zone, owner);
}

const std::string subnet = R"(
[[profile]]
name = "office.tm.test."
method = "subnet"
transfer_client = "10.9.8.7"
[profile.monitor]
protocol = "http"
[[profile.endpoint]]
name = "eu"
target = "eu.example."
ranges = ["10.0.0.0/8"]
[[profile.endpoint]]
name = "rest"
target = "rest.example."
)";

const std::string weighted_ips = R"(
[[profile]]
name = "w.tm.test."
method = "weighted"
transfer_weighted = "all"
[profile.monitor]
protocol = "http"
[[profile.endpoint]]
name = "a"
target = "192.0.2.1"
[[profile.endpoint]]
name = "b"
target = "192.0.2.2"
weight = 5
)";

}  // namespace

TEST_CASE("[publish]: the serial policy, the state directory beside the config, journal bounds") {
  const auto config = load(zone_toml + R"(
[publish]
serial_policy = "date"
state_directory = "state"
journal_diffs = 10
journal_bytes = 65536
)");
  CHECK(config->publish.serial_policy == publish::SerialPolicy::date);
  CHECK(config->publish.state_directory == "state");
  CHECK(config->publish.journal.max_entries == 10);
  CHECK(config->publish.journal.max_bytes == 65536);
  const auto defaults = load(zone_toml);
  CHECK(defaults->publish.serial_policy == publish::SerialPolicy::increment);
  CHECK(defaults->publish.state_directory.empty());
  CHECK(load(zone_toml + "[publish]\nserial_policy = \"unix\"\n")->publish.serial_policy ==
        publish::SerialPolicy::unix_time);
}

TEST_CASE("[publish]: an unknown policy or key is an error naming it") {
  CHECK(error_of(zone_toml + "[publish]\nserial_policy = \"weekly\"\n") ==
        "publish.serial_policy: unknown policy \"weekly\" (expected increment, unix or date)");
  CHECK(error_of(zone_toml + "[publish]\nserial = 1\n").rfind("publish.serial:", 0) == 0);
}

TEST_CASE("transfer_client: the subnet view is made for that client") {
  World world(zone_toml + subnet);
  CHECK(view_at(world, "office.tm.test.") == Strings{"office.tm.test. 1 CNAME eu.example."});
  std::string v6 = subnet;
  v6.replace(v6.find("10.9.8.7"), 8, "2001:db8::9");
  World other(zone_toml + v6);
  CHECK(view_at(other, "office.tm.test.") == Strings{"office.tm.test. 1 CNAME rest.example."});
}

TEST_CASE("transfer_client: only for subnet, geographic and performance, and an address") {
  std::string bad = subnet;
  bad.replace(bad.find("10.9.8.7"), 8, "ten");
  CHECK(error_of(zone_toml + bad) ==
        "profile[0].transfer_client: bad address \"ten\" (expected an IPv4 or IPv6 address, e.g. "
        "\"192.0.2.1\")");
  std::string priority = subnet;
  priority.replace(priority.find("\"subnet\""), 8, "\"priority\"");
  priority.replace(priority.find("ranges = [\"10.0.0.0/8\"]\n"), 24, "priority = 1\n");
  priority.replace(priority.find("target = \"rest.example.\""), 24,
                   "target = \"rest.example.\"\npriority = 2");
  CHECK(error_of(zone_toml + priority) ==
        "profile[0].transfer_client: transfer_client applies to methods \"subnet\", "
        "\"geographic\" and \"performance\" only");
}

TEST_CASE("transfer_weighted = all: every available address, for IP endpoints only") {
  World world(zone_toml + weighted_ips);
  CHECK(view_at(world, "w.tm.test.") ==
        Strings{"w.tm.test. 1 A 192.0.2.1", "w.tm.test. 1 A 192.0.2.2"});
  std::string fqdn = weighted_ips;
  fqdn.replace(fqdn.find("192.0.2.2"), 9, "b.example.");
  CHECK(error_of(zone_toml + fqdn) ==
        "profile[0].transfer_weighted: \"all\" needs IP endpoints only (a CNAME RRset holds one "
        "name: use \"heaviest\")");
  std::string unknown = weighted_ips;
  unknown.replace(unknown.find("\"all\""), 5, "\"most\"");
  CHECK(error_of(zone_toml + unknown) ==
        "profile[0].transfer_weighted: unknown choice \"most\" (expected heaviest or all)");
}
