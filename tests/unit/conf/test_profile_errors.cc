// Profile, endpoint, monitor and secret errors: one case per rule.
#include <doctest/doctest.h>

#include <cstdlib>

#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;

namespace {

// A zone, then one profile whose [profile.monitor] and first endpoint get `monitor` and
// `endpoint` appended, so each test shows only the lines it is about.
std::string profile_toml(std::string_view monitor, std::string_view endpoint = "",
                         std::string_view profile = "") {
  return std::string(conf_test::zone_toml) + R"([[profile]]
name = "ci.tm.example.com."
)" + std::string(profile) +
         "[profile.monitor]\n" + std::string(monitor) + R"([[profile.endpoint]]
name = "eu"
target = "eu.tenant.test."
)" + std::string(endpoint);
}

}  // namespace

TEST_CASE("profile errors: the base profile of these tests loads") {
  const auto result = load(profile_toml(""));
  INFO(conf_test::all_errors(result));
  CHECK(result.config != nullptr);
}

TEST_CASE("profile errors: a profile outside every zone names the zones there are") {
  const std::string toml = std::string(conf_test::zone_toml) + R"([[profile]]
name = "ci.example.net."
[[profile.endpoint]]
name = "eu"
target = "192.0.2.1"
)";
  check_error(
      load(toml), inline_path, line_containing(toml, "ci.example.net"), "profile[0].name",
      "ci.example.net. is not inside any [[zone]] (expected a name in one of: tm.example.com.)");
}

TEST_CASE("profile errors: an unknown method names the six there are") {
  const auto unknown = profile_toml("", "", "method = \"roundrobin\"\n");
  check_error(load(unknown), inline_path, line_containing(unknown, "roundrobin"),
              "profile[0].method",
              "unknown method \"roundrobin\" (expected one of priority, weighted, multivalue, "
              "subnet, geographic, performance)");
}

TEST_CASE("profile errors: an out-of-range tolerated_failures gives the range") {
  const auto toml = profile_toml("tolerated_failures = 12\n");
  check_error(load(toml), inline_path, line_containing(toml, "tolerated_failures"),
              "profile[0].monitor.tolerated_failures", "must be between 0 and 9, got 12");
}

TEST_CASE("profile errors: the timeout must be below the interval") {
  const auto toml = profile_toml("interval = \"5s\"\ntimeout = \"5s\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "timeout"),
              "profile[0].monitor.timeout", "must be below the interval (5s), got 5s");
}

TEST_CASE("profile errors: an endpoint override is checked against the inherited interval") {
  const auto toml =
      profile_toml("interval = \"2s\"\n", "[profile.endpoint.monitor]\ntimeout = 3\n");
  check_error(load(toml), inline_path, line_containing(toml, "timeout = 3"),
              "profile[0].endpoint[0].monitor.timeout", "must be below the interval (2s), got 3s");
}

TEST_CASE("profile errors: the interval stays within 100ms and 1h") {
  const auto toml = profile_toml("interval = \"50ms\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "interval"),
              "profile[0].monitor.interval", "must be between 100ms and 1h, got 50ms");
}

TEST_CASE("profile errors: a tcp monitor needs a port") {
  const auto toml = profile_toml("protocol = \"tcp\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "[profile.monitor]"),
              "profile[0].monitor.port", "is required for protocol \"tcp\"");
}

TEST_CASE("profile errors: a bad expected_status shows the expected form") {
  const auto toml = profile_toml("expected_status = \"2xx\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "2xx"),
              "profile[0].monitor.expected_status",
              "bad status list \"2xx\" (expected codes or ranges from 100 to 599");
  for (const auto* bad : {"600", "299-200", "200,", "99"}) {
    INFO(bad);
    const auto other = profile_toml(std::string("expected_status = \"") + bad + "\"\n");
    CHECK(conf_test::error_for(load(other), "profile[0].monitor.expected_status").line ==
          line_containing(other, "expected_status"));
  }
}

TEST_CASE("profile errors: a path must start with a slash") {
  const auto toml = profile_toml("path = \"http/ping\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "path ="), "profile[0].monitor.path",
              "expected it to start with \"/\"");
}

TEST_CASE("profile errors: duplicate priorities are refused, explicit or by position") {
  const auto toml = profile_toml("", R"(priority = 1
[[profile.endpoint]]
name = "us"
target = "us.tenant.test."
priority = 1
)");
  check_error(load(toml), inline_path, line_containing(toml, "priority = 1\n[[") + 4,
              "profile[0].endpoint[1].priority", "priority 1 is already used by endpoint \"eu\"");
  const auto by_position = profile_toml("", R"(priority = 2
[[profile.endpoint]]
name = "us"
target = "us.tenant.test."
)");
  check_error(load(by_position), inline_path,
              line_containing(by_position, "[[profile.endpoint]]\nname = \"us\""),
              "profile[0].endpoint[1].priority", "this one has it by default, from its position");
}

TEST_CASE("profile errors: endpoint names are unique and plain") {
  const auto toml = profile_toml("", R"([[profile.endpoint]]
name = "eu"
target = "us.tenant.test."
[[profile.endpoint]]
name = "u s"
target = "us.tenant.test."
)");
  const auto result = load(toml);
  check_error(result, inline_path, line_containing(toml, "name = \"eu\"\ntarget = \"us"),
              "profile[0].endpoint[1].name", "endpoint name \"eu\" is used twice");
  check_error(result, inline_path, line_containing(toml, "u s"), "profile[0].endpoint[2].name",
              "bad endpoint name \"u s\"");
}

TEST_CASE("profile errors: a target is a host name or a valid IP address") {
  const std::string toml = std::string(conf_test::zone_toml) + R"([[profile]]
name = "ci.tm.example.com."
[[profile.endpoint]]
name = "a"
target = "10.0.0.300"
[[profile.endpoint]]
name = "b"
target = "eu tenant"
)";
  const auto result = load(toml);
  check_error(result, inline_path, line_containing(toml, "10.0.0.300"),
              "profile[0].endpoint[0].target",
              "\"10.0.0.300\" is not a valid IPv4 or IPv6 address");
  check_error(result, inline_path, line_containing(toml, "eu tenant"),
              "profile[0].endpoint[1].target", "is neither a host name");
}

TEST_CASE("profile errors: a profile needs at least one endpoint") {
  const std::string toml =
      std::string(conf_test::zone_toml) + "[[profile]]\nname = \"ci.tm.example.com.\"\n";
  check_error(load(toml), inline_path, line_containing(toml, "[[profile]]"), "profile[0].endpoint",
              "at least one [[profile.endpoint]] is required");
}

TEST_CASE("profile errors: the same profile name twice is refused") {
  const std::string one = R"([[profile]]
name = "ci.tm.example.com."
[[profile.endpoint]]
name = "eu"
target = "192.0.2.1"
)";
  const std::string toml = std::string(conf_test::zone_toml) + one + one;
  check_error(load(toml), inline_path, 14, "profile[1].name",
              "profile ci.tm.example.com. is already defined by profile[0]");
}

TEST_CASE("profile errors: a header value in clear text is refused without repeating it") {
  const auto toml = profile_toml(R"([[profile.monitor.header]]
name = "Authorization"
value = "Basic c2VjcmV0"
)");
  const auto result = load(toml);
  check_error(result, inline_path, line_containing(toml, "value ="),
              "profile[0].monitor.header[0].value",
              "may not be written in the config in clear text (expected value_env");
  for (const auto& error : result.errors)
    CHECK(error.to_string().find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("profile errors: a header from an unset environment variable is refused") {
  ::unsetenv("DNSD_TEST_UNSET_VARIABLE");
  const auto toml = profile_toml(R"([[profile.monitor.header]]
name = "Authorization"
value_env = "DNSD_TEST_UNSET_VARIABLE"
)");
  check_error(load(toml), inline_path, line_containing(toml, "value_env"),
              "profile[0].monitor.header[0].value_env",
              "environment variable \"DNSD_TEST_UNSET_VARIABLE\" is not set");
}

TEST_CASE("profile errors: a header from a missing file is refused") {
  const auto toml = profile_toml(R"([[profile.monitor.header]]
name = "Authorization"
value_file = "secrets/missing.auth"
)");
  check_error(load(toml), inline_path, line_containing(toml, "value_file"),
              "profile[0].monitor.header[0].value_file",
              "cannot read \"" + conf_test::data_path("secrets/missing.auth") + "\": No such file");
}

TEST_CASE("profile errors: a header needs exactly one of value_env and value_file") {
  ::setenv("DNSD_TEST_SET_VARIABLE", "x", 1);
  const auto toml = profile_toml(R"([[profile.monitor.header]]
name = "Authorization"
value_env = "DNSD_TEST_SET_VARIABLE"
value_file = "secrets/eu.auth"
)");
  check_error(load(toml), inline_path, line_containing(toml, "value_file"),
              "profile[0].monitor.header[0].value_file", "exactly one of value_env or value_file");
}

TEST_CASE("profile errors: a CA file must exist, and client certificate and key come together") {
  const auto toml =
      profile_toml("ca_file = \"certs/missing.pem\"\nclient_cert = \"certs/ca.pem\"\n");
  const auto result = load(toml);
  check_error(result, inline_path, line_containing(toml, "ca_file"), "profile[0].monitor.ca_file",
              "cannot read \"" + conf_test::data_path("certs/missing.pem") + "\"");
  const auto pair = profile_toml("client_cert = \"certs/ca.pem\"\n");
  check_error(load(pair), inline_path, line_containing(pair, "[profile.monitor]"),
              "profile[0].monitor.client_key", "client_cert and client_key come together");
  const auto not_pem = profile_toml("ca_file = \"secrets/eu.auth\"\n");
  check_error(load(not_pem), inline_path, line_containing(not_pem, "ca_file"),
              "profile[0].monitor.ca_file", "is not a PEM file");
}

TEST_CASE("profile errors: unknown keys in an endpoint's monitor override are refused") {
  const auto toml = profile_toml("", "[profile.endpoint.monitor]\nretries = 3\n");
  check_error(load(toml), inline_path, line_containing(toml, "retries"),
              "profile[0].endpoint[0].monitor.retries",
              "unknown key \"retries\" (expected one of protocol, port, path, interval, timeout");
}

TEST_CASE("profile errors: a profile on a name with static A records is reported at the zone") {
  const std::string toml = std::string(conf_test::zone_toml) + R"([[zone.record]]
name = "ci"
type = "A"
data = "192.0.2.1"
[[profile]]
name = "ci.tm.example.com."
[[profile.endpoint]]
name = "eu"
target = "192.0.2.2"
)";
  const auto result = load(toml);
  INFO(conf_test::all_errors(result));
  CHECK(result.config == nullptr);
  bool found = false;
  for (const auto& error : result.errors)
    found = found || (error.key == "zone[0].name" && error.line == 2 &&
                      error.message.find("a profile name cannot also have static A/AAAA") !=
                          std::string::npos);
  CHECK(found);
}

// --- routing methods and statuses (issue 5)

TEST_CASE("profile errors: the method keys load when used right") {
  const std::string toml = std::string(conf_test::zone_toml) + R"([[profile]]
name = "w.tm.example.com."
method = "weighted"
status = "enabled"
[[profile.endpoint]]
name = "a"
target = "192.0.2.1"
weight = 1000
status = "always_serve"
[[profile]]
name = "m.tm.example.com."
method = "multivalue"
max_return = 10
[[profile.endpoint]]
name = "a"
target = "2001:db8::1"
[[profile]]
name = "s.tm.example.com."
method = "subnet"
status = "disabled"
[[profile.endpoint]]
name = "a"
target = "a.tenant.test."
ranges = ["10.0.0.0/8", "192.0.2.10-192.0.2.20", "2001:db8::/32"]
[[profile.endpoint]]
name = "b"
target = "b.tenant.test."
ranges = "10.1.0.0/16"
[[profile.endpoint]]
name = "rest"
target = "c.tenant.test."
)";
  const auto result = load(toml);
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config != nullptr);
  const auto& profiles = result.config->model.profiles;
  CHECK(profiles[0].method == routing::Method::weighted);
  CHECK(profiles[0].endpoints[0].weight == 1000);
  CHECK(profiles[0].endpoints[0].always_serve);
  CHECK(profiles[1].max_return == 10);
  CHECK_FALSE(profiles[2].enabled);
  CHECK(profiles[2].endpoints[0].ranges.size() == 3);
  CHECK(profiles[2].endpoints[1].ranges[0].prefix == 16);
}

TEST_CASE("profile errors: weight is 1 to 1000") {
  const auto toml = profile_toml("", "weight = 0\n", "method = \"weighted\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "weight = 0"),
              "profile[0].endpoint[0].weight", "must be between 1 and 1000, got 0");
}

TEST_CASE("profile errors: an unknown endpoint status names the three there are") {
  const auto toml = profile_toml("", "status = \"paused\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "paused"),
              "profile[0].endpoint[0].status",
              "unknown status \"paused\" (expected enabled, disabled or always_serve)");
}

TEST_CASE("profile errors: status and enabled on one endpoint could disagree") {
  const auto toml = profile_toml("", "enabled = true\nstatus = \"disabled\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "status = \"disabled\""),
              "profile[0].endpoint[0].status", "give either status or enabled, not both");
}

TEST_CASE("profile errors: a profile status is enabled or disabled") {
  const auto toml = profile_toml("", "", "status = \"always_serve\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "always_serve"), "profile[0].status",
              "unknown status \"always_serve\" (expected enabled or disabled)");
}

TEST_CASE("profile errors: max_return is 1 to 10, and for multivalue only") {
  const std::string ip_endpoint = "[[profile.endpoint]]\nname = \"ip\"\ntarget = \"192.0.2.1\"\n";
  const auto toml = std::string(conf_test::zone_toml) +
                    "[[profile]]\nname = \"m.tm.example.com.\"\nmethod = \"multivalue\"\n"
                    "max_return = 11\n" +
                    ip_endpoint;
  check_error(load(toml), inline_path, line_containing(toml, "max_return"), "profile[0].max_return",
              "must be between 1 and 10, got 11");
  const auto other = profile_toml("", "", "max_return = 3\n");
  check_error(load(other), inline_path, line_containing(other, "max_return"),
              "profile[0].max_return", "max_return applies to method \"multivalue\" only");
}

TEST_CASE("profile errors: a multivalue profile answers IP endpoints only") {
  const auto toml = profile_toml("", "", "method = \"multivalue\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "eu.tenant.test."),
              "profile[0].endpoint[0].target",
              "\"eu.tenant.test.\" is a host name; a multivalue profile answers IP endpoints only");
}

TEST_CASE("profile errors: ranges belong to subnet profiles") {
  const auto toml = profile_toml("", "ranges = [\"10.0.0.0/8\"]\n");
  check_error(load(toml), inline_path, line_containing(toml, "ranges"),
              "profile[0].endpoint[0].ranges", "ranges apply to method \"subnet\" only");
}

TEST_CASE("profile errors: a bad range names itself and why, per element") {
  const char* cases[][2] = {{"10.0.0.1/8", "has bits set after the prefix length"},
                            {"10.0.0.0/40", "has a bad prefix length (expected 0 to 32)"},
                            {"192.0.2.20-192.0.2.10", "ends before it starts"},
                            {"192.0.2.1-2001:db8::1", "mixes IPv4 and IPv6"},
                            {"nowhere", "is not an address, a CIDR block or a first-last range"}};
  for (const auto& row : cases) {
    const char* text = row[0];  // named copies: INFO's lambda cannot capture a binding
    const char* why = row[1];
    INFO(text);
    const auto toml =
        profile_toml("", std::string("ranges = [\"192.0.2.0/24\", \"") + text + "\"]\n",
                     "method = \"subnet\"\n");
    check_error(load(toml), inline_path, line_containing(toml, "ranges"),
                "profile[0].endpoint[0].ranges[1]", why);
  }
}

TEST_CASE("profile errors: ranges may nest but not overlap partly or repeat") {
  const std::string second = R"(ranges = ["10.0.0.0/8"]
[[profile.endpoint]]
name = "us"
target = "us.tenant.test."
)";
  const auto partly = profile_toml(
      "", second + "ranges = [\"10.0.0.0/16\", \"9.0.0.0-10.0.0.5\"]\n", "method = \"subnet\"\n");
  check_error(load(partly), inline_path, line_containing(partly, "9.0.0.0"),
              "profile[0].endpoint[1].ranges[1]",
              "\"9.0.0.0-10.0.0.5\" overlaps \"10.0.0.0/8\" of endpoint \"eu\" (ranges may nest");
  const auto twice =
      profile_toml("", second + "ranges = \"10.0.0.0-10.255.255.255\"\n", "method = \"subnet\"\n");
  check_error(load(twice), inline_path, line_containing(twice, "10.0.0.0-"),
              "profile[0].endpoint[1].ranges", "overlaps \"10.0.0.0/8\" of endpoint \"eu\"");
}

TEST_CASE("profile errors: a subnet profile has at most one endpoint without ranges") {
  const auto toml = profile_toml("", R"([[profile.endpoint]]
name = "us"
target = "us.tenant.test."
)",
                                 "method = \"subnet\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "name = \"us\"") - 1,
              "profile[0].endpoint[1].ranges",
              "endpoint \"eu\" is already the fallback (the one endpoint without ranges)");
}

// --- nested profiles

namespace {

// Profiles p0 .. p(n-1); each nests the next, the last has an IP endpoint.
std::string chain_toml(std::size_t n, bool loop_back = false) {
  std::string out(conf_test::zone_toml);
  for (std::size_t i = 0; i < n; ++i) {
    out += "[[profile]]\nname = \"p" + std::to_string(i) +
           ".tm.example.com.\"\n[[profile.endpoint]]\n";
    if (i + 1 < n)
      out += "name = \"next\"\nprofile = \"p" + std::to_string(i + 1) + ".tm.example.com.\"\n";
    else if (loop_back)
      out += "name = \"next\"\nprofile = \"p0.tm.example.com.\"\n";
    else
      out += "name = \"ip\"\ntarget = \"192.0.2.1\"\n";
  }
  return out;
}

}  // namespace

TEST_CASE("profile errors: nested profiles load up to 10 levels") {
  const auto result = load(chain_toml(10));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config != nullptr);
  const auto& nested = result.config->model.profiles[0].endpoints[0];
  CHECK(nested.kind == routing::TargetKind::profile);
  CHECK(nested.child == 1);
  CHECK(nested.min_child_endpoints == 1);
}

TEST_CASE("profile errors: 11 levels of nested profiles are refused where the limit is crossed") {
  const auto toml = chain_toml(11);
  check_error(load(toml), inline_path, line_containing(toml, "profile = \"p1.tm"),
              "profile[0].endpoint[0].profile",
              "nesting p1.tm.example.com. here makes 11 levels of profiles (at most 10)");
}

TEST_CASE("profile errors: a loop of nested profiles names the loop") {
  const auto toml = chain_toml(3, true);
  check_error(load(toml), inline_path, line_containing(toml, "profile = \"p0.tm"),
              "profile[2].endpoint[0].profile",
              "nested profiles loop: p0.tm.example.com. -> p1.tm.example.com. -> "
              "p2.tm.example.com. -> p0.tm.example.com.");
}

TEST_CASE("profile errors: a nested profile must exist") {
  const auto toml = profile_toml("", R"([[profile.endpoint]]
name = "kid"
profile = "nope.tm.example.com."
)");
  check_error(load(toml), inline_path, line_containing(toml, "nope"),
              "profile[0].endpoint[1].profile", "no [[profile]] is named nope.tm.example.com.");
}

TEST_CASE("profile errors: an endpoint has a target or a profile, not both") {
  const auto toml = profile_toml("", "profile = \"ci.tm.example.com.\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "eu.tenant.test."),
              "profile[0].endpoint[0].target", "give target or profile, not both");
}

TEST_CASE("profile errors: min_child_endpoints keys belong to nested endpoints") {
  for (const auto* key :
       {"min_child_endpoints", "min_child_endpoints_ipv4", "min_child_endpoints_ipv6"}) {
    INFO(key);
    const auto toml = profile_toml("", std::string(key) + " = 1\n");
    check_error(load(toml), inline_path, line_containing(toml, key),
                std::string("profile[0].endpoint[0].") + key,
                "applies to nested profile endpoints (profile = ...) only");
  }
}

TEST_CASE("profile errors: min_child_endpoints must be reachable and at least 1") {
  auto toml = chain_toml(2);
  toml.insert(toml.find("profile = \"p1"), "min_child_endpoints = 2\n");
  check_error(load(toml), inline_path, line_containing(toml, "min_child_endpoints"),
              "profile[0].endpoint[0].min_child_endpoints",
              "2 is more than the 1 endpoints of p1.tm.example.com., so it could never be met");
  auto zero = chain_toml(2);
  zero.insert(zero.find("profile = \"p1"), "min_child_endpoints = 0\n");
  check_error(load(zero), inline_path, line_containing(zero, "min_child_endpoints"),
              "profile[0].endpoint[0].min_child_endpoints", "must be between 1 and 200, got 0");
}

TEST_CASE("profile errors: a multivalue profile cannot nest profiles") {
  auto toml = chain_toml(2);
  toml.insert(toml.find("[[profile.endpoint]]"), "method = \"multivalue\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "profile = \"p1"),
              "profile[0].endpoint[0].profile", "a multivalue profile answers IP endpoints only");
}

// --- geographic

namespace {

std::string geo_toml(std::string_view profile_extra, std::string_view first_regions,
                     std::string_view second_regions = "regions = \"WORLD\"\n") {
  return std::string(conf_test::zone_toml) + "[[profile]]\nname = \"geo.tm.example.com.\"\n" +
         "method = \"geographic\"\n" + std::string(profile_extra) +
         "[[profile.endpoint]]\nname = \"eu\"\ntarget = \"192.0.2.1\"\n" +
         std::string(first_regions) +
         "[[profile.endpoint]]\nname = \"rest\"\ntarget = \"192.0.2.2\"\n" +
         std::string(second_regions);
}

const std::string geo_db = std::string("geoip_database = \"") + DNSD_GEO_TEST_DB + "\"\n";

}  // namespace

TEST_CASE("profile errors: a geographic profile loads with its database and regions") {
  const auto result = load(
      geo_toml(geo_db + "fallback = \"parent_region\"\n", "regions = [\"GEO-EU\", \"us-ca\"]\n"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config != nullptr);
  const auto& profile = result.config->model.profiles[0];
  CHECK(profile.geoip != nullptr);
  CHECK(profile.geo_fallback == routing::GeoFallback::parent_region);
  REQUIRE(profile.regions.size() == 3);
  CHECK(std::string(profile.regions[1].code.data()) == "US-CA");
  CHECK(profile.regions[2].endpoint == 1);
}

TEST_CASE("profile errors: a geographic profile needs geoip_database") {
  const auto toml = geo_toml("", "regions = \"DE\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "geographic"), "profile[0].method",
              "method \"geographic\" needs geoip_database");
}

TEST_CASE("profile errors: a geoip_database that does not open says why") {
  const auto toml = geo_toml("geoip_database = \"missing.mmdb\"\n", "regions = \"DE\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "missing.mmdb"),
              "profile[0].geoip_database",
              "cannot open \"" + conf_test::data_path("missing.mmdb") + "\"");
}

TEST_CASE("profile errors: geoip_database, fallback and regions belong to geographic profiles") {
  const auto db = profile_toml("", "", geo_db);
  check_error(load(db), inline_path, line_containing(db, "geoip_database"),
              "profile[0].geoip_database",
              "applies to methods \"geographic\" and \"performance\" only");
  const auto fallback = profile_toml("", "", "fallback = \"parent_region\"\n");
  check_error(load(fallback), inline_path, line_containing(fallback, "fallback"),
              "profile[0].fallback", "fallback applies to method \"geographic\" only");
  const auto regions = profile_toml("", "regions = [\"DE\"]\n");
  check_error(load(regions), inline_path, line_containing(regions, "regions"),
              "profile[0].endpoint[0].regions", "regions apply to method \"geographic\" only");
}

TEST_CASE("profile errors: an unknown fallback names the two there are") {
  const auto toml = geo_toml(geo_db + "fallback = \"nearest\"\n", "regions = \"DE\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "nearest"), "profile[0].fallback",
              "unknown fallback \"nearest\" (expected none or parent_region)");
}

TEST_CASE("profile errors: a bad region code is refused, per element") {
  const auto toml = geo_toml(geo_db, "regions = [\"DE\", \"GEO-XX\"]\n");
  check_error(load(toml), inline_path, line_containing(toml, "GEO-XX"),
              "profile[0].endpoint[0].regions[1]", "\"GEO-XX\" is not a region");
}

TEST_CASE("profile errors: a region maps to exactly one endpoint") {
  const auto toml = geo_toml(geo_db, "regions = [\"DE\"]\n", "regions = [\"WORLD\", \"de\"]\n");
  check_error(load(toml), inline_path, line_containing(toml, "\"de\""),
              "profile[0].endpoint[1].regions[1]",
              "region \"de\" is already mapped to endpoint \"eu\" (a region maps to exactly one");
}

TEST_CASE("profile errors: every geographic endpoint needs regions") {
  const auto toml = geo_toml(geo_db, "", "regions = \"WORLD\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "name = \"eu\"") - 1,
              "profile[0].endpoint[0].regions", "is required in a geographic profile");
}

TEST_CASE("profile errors: subnet_override is for geographic profiles, ranges for subnet ones") {
  const auto override_elsewhere = profile_toml("", "subnet_override = [\"10.0.0.0/8\"]\n");
  check_error(load(override_elsewhere), inline_path,
              line_containing(override_elsewhere, "subnet_override"),
              "profile[0].endpoint[0].subnet_override",
              "applies to methods \"geographic\" and \"performance\" only");
  const auto ranges_in_geo = geo_toml(geo_db, "regions = \"DE\"\nranges = [\"10.0.0.0/8\"]\n");
  check_error(load(ranges_in_geo), inline_path, line_containing(ranges_in_geo, "ranges ="),
              "profile[0].endpoint[0].ranges", "subnet_override pins client ranges here");
  const auto overlap =
      geo_toml(geo_db, "regions = \"DE\"\nsubnet_override = \"10.0.0.0/8\"\n",
               "regions = \"WORLD\"\nsubnet_override = \"10.0.0.0-10.255.255.255\"\n");
  check_error(load(overlap), inline_path, line_containing(overlap, "10.0.0.0-"),
              "profile[0].endpoint[1].subnet_override",
              "overlaps \"10.0.0.0/8\" of endpoint \"eu\"");
  const auto good = geo_toml(geo_db, "regions = \"DE\"\nsubnet_override = [\"192.0.2.0/24\"]\n");
  const auto result = load(good);
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config != nullptr);
  CHECK(result.config->model.profiles[0].endpoints[0].ranges.size() == 1);
}

// --- performance

namespace {

std::string perf_toml(std::string_view profile_extra,
                      std::string_view eu_extra = "location = \"westeurope\"\n",
                      std::string_view us_extra = "location = \"eastus\"\n") {
  return std::string(conf_test::zone_toml) + "[[profile]]\nname = \"perf.tm.example.com.\"\n" +
         "method = \"performance\"\n" + std::string(profile_extra) +
         "[[profile.endpoint]]\nname = \"eu\"\ntarget = \"192.0.2.1\"\n" + std::string(eu_extra) +
         "[[profile.endpoint]]\nname = \"us\"\ntarget = \"192.0.2.2\"\n" + std::string(us_extra);
}

const std::string latency_table = geo_db + R"([profile.latency]
GEO-EU = { westeurope = 10, eastus = 90 }
US = { westeurope = 90, eastus = 12 }
)";

}  // namespace

TEST_CASE("profile errors: a performance profile loads with its latency table, or without") {
  auto result = load(perf_toml(latency_table));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config != nullptr);
  const auto& profile = result.config->model.profiles[0];
  REQUIRE(profile.latency.size() == 2);
  CHECK(profile.latency[0].ms == std::vector<std::uint32_t>{10, 90});
  CHECK(profile.endpoints[1].location == "eastus");
  CHECK(load(perf_toml("", "", "")).config != nullptr);  // probes' round trips decide
}

TEST_CASE("profile errors: location and latency belong to performance profiles") {
  const auto location = profile_toml("", "location = \"westeurope\"\n");
  check_error(load(location), inline_path, line_containing(location, "westeurope"),
              "profile[0].endpoint[0].location", "location applies to method \"performance\" only");
  const auto table = profile_toml("", "", "[profile.latency]\nDE = { eu = 1 }\n");
  check_error(load(table), inline_path, line_containing(table, "[profile.latency]"),
              "profile[0].latency", "latency applies to method \"performance\" only");
}

TEST_CASE(
    "profile errors: a latency table needs the GeoIP database and every endpoint's location") {
  const auto no_db = perf_toml("[profile.latency]\nDE = { westeurope = 5 }\n");
  check_error(load(no_db), inline_path, line_containing(no_db, "[profile.latency]"),
              "profile[0].latency", "a latency table needs geoip_database");
  const auto no_location = perf_toml(latency_table, "location = \"westeurope\"\n", "");
  check_error(load(no_location), inline_path, line_containing(no_location, "[profile.latency]"),
              "profile[0].latency", "endpoint \"us\" has no location");
}

TEST_CASE("profile errors: latency rows name regions, known locations and milliseconds") {
  const auto region = perf_toml(geo_db + "[profile.latency]\nEurope = { westeurope = 5 }\n");
  check_error(load(region), inline_path, line_containing(region, "Europe ="),
              "profile[0].latency.Europe", "\"Europe\" is not a region");
  const auto location = perf_toml(geo_db + "[profile.latency]\nDE = { northpole = 5 }\n");
  check_error(load(location), inline_path, line_containing(location, "northpole"),
              "profile[0].latency.DE.northpole", "no endpoint has location \"northpole\"");
  const auto ms = perf_toml(geo_db + "[profile.latency]\nDE = { westeurope = \"fast\" }\n");
  check_error(load(ms), inline_path, line_containing(ms, "fast"),
              "profile[0].latency.DE.westeurope", "must be milliseconds from 0 to 100000");
}

TEST_CASE("profile errors: client_regions are performance-only, with regions and ranges") {
  const auto elsewhere = profile_toml("", "", "[profile.client_regions]\nDE = [\"10.0.0.0/8\"]\n");
  check_error(load(elsewhere), inline_path, line_containing(elsewhere, "[profile.client_regions]"),
              "profile[0].client_regions", "client_regions applies to method \"performance\" only");
  const auto bad = perf_toml(
      "[profile.client_regions]\nDE = [\"10.0.0.0/8\", \"10.0.0.1/8\"]\n"
      "[profile.latency]\nDE = { westeurope = 5 }\n");
  check_error(load(bad), inline_path, line_containing(bad, "10.0.0.1/8"),
              "profile[0].client_regions.DE[1]", "has bits set after the prefix length");
  const auto overlap = perf_toml(
      "[profile.client_regions]\nDE = [\"10.0.0.0/8\"]\n"
      "FR = [\"9.0.0.0-10.0.0.5\"]\n[profile.latency]\nDE = { westeurope = 5 }\n");
  check_error(load(overlap), inline_path, line_containing(overlap, "9.0.0.0"),
              "profile[0].client_regions.FR[0]", "overlaps \"10.0.0.0/8\"");
  const auto good = perf_toml(
      "[profile.client_regions]\nDE = [\"10.0.0.0/8\"]\n"
      "[profile.latency]\nDE = { westeurope = 5, eastus = 50 }\n");
  const auto result = load(good);
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config != nullptr);
  CHECK(result.config->model.profiles[0].client_regions.size() == 1);
}
