// A full valid config (data/valid.toml with its master file) and what it turns into.
#include <doctest/doctest.h>

#include <cstdlib>

#include "conf_test_support.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"

namespace {

using dnsd::wire::Name;
namespace rrtype = dnsd::wire::rrtype;
using namespace std::chrono_literals;

conf::LoadResult load_valid() {
  ::setenv("DNSD_TEST_EU_AUTH", "Basic ZXU6ZW52", 1);
  return conf::load_file(conf_test::data_path("valid.toml"));
}

// "ttl text" of the one RRset (owner, type) in the zone, e.g. "300 192.0.2.1 192.0.2.2".
std::string rrset_text(const dnsd::zone::Zone& zone, std::string_view owner, std::uint16_t type) {
  const auto name = Name::from_text(owner)->lowercased();
  const auto* node = zone.find(name);
  if (!node) return "no node";
  const auto* rrset = node->find(type);
  if (!rrset) return "no rrset";
  std::string out = std::to_string(rrset->ttl);
  for (const auto& rdata : rrset->rdatas) out += " " + dnsd::wire::rdata_to_text(type, rdata);
  return out;
}

const dnsd::zone::Zone& zone_named(const conf::Config& config, std::string_view name) {
  const auto* zone = config.zones.find_enclosing(Name::from_text(name)->lowercased());
  REQUIRE(zone);
  return *zone;
}

}  // namespace

TEST_CASE("valid config: server, log level and resolver settings are read") {
  const auto result = load_valid();
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto& config = *result.config;
  CHECK(config.log_level == conf::LogLevel::debug);
  CHECK(config.server.listen ==
        std::vector<conf::ListenAddress>{{"127.0.0.1", 5353}, {"::1", 5353}});
  CHECK(config.server.workers == 2);
  CHECK(config.server.udp_payload == 1400);
  CHECK(config.server.tcp_idle_timeout == 15s);
  CHECK(config.server.tcp_max_connections == 100);
  CHECK(config.server.chaos_version == "dnsd test");
  CHECK(config.server.chaos_identity == "ns1.test");
  CHECK(config.model.resolver.servers == std::vector<std::string>{"127.0.0.1:5300", "[::1]:53"});
}

TEST_CASE("valid config: TOML records, SOA and NS build the static zone") {
  const auto result = load_valid();
  REQUIRE(result.config);
  CHECK(result.config->zones.zones().size() == 2);
  const auto& zone = zone_named(*result.config, "static.example.org.");
  CHECK(rrset_text(zone, "static.example.org.", rrtype::soa) ==
        "1800 ns1.example.net. hostmaster.example.org. 2024010101 3600 600 604800 60");
  CHECK(rrset_text(zone, "static.example.org.", rrtype::ns) ==
        "3600 ns1.example.net. ns2.static.example.org.");
  CHECK(rrset_text(zone, "ns2.static.example.org.", rrtype::aaaa) == "3600 2001:db8::53");
}

TEST_CASE("valid config: master-file records join the TOML ones in the same zone") {
  const auto result = load_valid();
  REQUIRE(result.config);
  const auto& zone = zone_named(*result.config, "tm.example.com.");
  CHECK(rrset_text(zone, "tm.example.com.", rrtype::soa) ==
        "3600 ns1.tm.example.com. hostmaster.tm.example.com. 2024010101 3600 600 604800 60");
  CHECK(rrset_text(zone, "tm.example.com.", rrtype::ns) ==
        "3600 ns1.tm.example.com. ns2.example.net.");
  CHECK(rrset_text(zone, "tm.example.com.", rrtype::mx) ==
        "7200 10 mail.tm.example.com.");  // default_ttl
  CHECK(rrset_text(zone, "www.tm.example.com.", rrtype::a) == "300 192.0.2.1 192.0.2.2");
  CHECK(rrset_text(zone, "ns1.tm.example.com.", rrtype::a) == "300 192.0.2.53");
  CHECK(rrset_text(zone, "ns1.tm.example.com.", rrtype::aaaa) == "300 2001:db8::53");
  CHECK(rrset_text(zone, "txt.tm.example.com.", rrtype::txt) ==
        R"(3600 "hello; not a comment" "quote \" inside" "bare" "hello")");
  CHECK(rrset_text(zone, "_sip._udp.tm.example.com.", rrtype::srv) ==
        "3600 0 5 5060 sip.tm.example.com.");
  CHECK(rrset_text(zone, "caa.tm.example.com.", rrtype::caa) ==
        R"(3600 0 issue "letsencrypt.org")");
  CHECK(rrset_text(zone, "alias.tm.example.com.", rrtype::cname) == "3600 www.tm.example.com.");
  CHECK(rrset_text(zone, "generic.tm.example.com.", 65280) == R"(3600 \# 3 ABCDEF)");
  CHECK(rrset_text(zone, "host.sub.tm.example.com.", rrtype::a) == "3600 192.0.2.77");
  // $INCLUDE: its own origin and $TTL, neither leaking back into the including file.
  CHECK(rrset_text(zone, "included.tm.example.com.", rrtype::a) == "42 192.0.2.88");
  CHECK(rrset_text(zone, "after.sub.tm.example.com.", rrtype::a) == "3600 192.0.2.99");
}

TEST_CASE("valid config: profiles are numbered in file order and attached to their zone") {
  const auto result = load_valid();
  REQUIRE(result.config);
  const auto& model = result.config->model;
  REQUIRE(model.profiles.size() == 2);
  CHECK(model.endpoint_count == 4);
  const auto& zone = zone_named(*result.config, "tm.example.com.");
  const auto* ci = zone.find(Name::from_text("cloudintegration.tm.example.com.")->lowercased());
  REQUIRE(ci);
  CHECK(ci->profile == routing::ProfileId{0});
  CHECK(zone.apex().profile == routing::ProfileId{1});
}

TEST_CASE(
    "valid config: a priority profile lists its endpoints by priority with monitor overrides") {
  const auto result = load_valid();
  REQUIRE(result.config);
  const auto& profile = result.config->model.profiles[0];
  CHECK(profile.name == "cloudintegration.tm.example.com.");
  CHECK(profile.method == routing::Method::priority);
  CHECK(profile.ttl == 1);
  CHECK_FALSE(profile.flatten);
  CHECK(profile.all_degraded == routing::AllDegraded::first);
  CHECK(profile.serve_while_checking);
  REQUIRE(profile.endpoints.size() == 2);

  const auto& eu = profile.endpoints[0];  // priority 1, second in the file
  CHECK(eu.name == "eu");
  CHECK(eu.health_id == 1);
  CHECK(eu.kind == routing::TargetKind::name);
  CHECK(eu.target == "eu.tenant.test.");
  const auto eu_name = *Name::from_text("eu.tenant.test.");
  CHECK(eu.target_wire == std::vector<std::uint8_t>(eu_name.wire().begin(), eu_name.wire().end()));
  CHECK(eu.probe_host == "eu.tenant.test.");
  CHECK(eu.monitor.port == 8443);
  CHECK(eu.monitor.path == "/http/ping");  // inherited from the profile
  REQUIRE(eu.monitor.headers.size() == 1);
  CHECK(eu.monitor.headers[0].value.reveal() == "Basic ZXU6ZW52");  // the endpoint's own list

  const auto& us = profile.endpoints[1];
  CHECK(us.name == "us");
  CHECK(us.health_id == 0);
  CHECK(us.priority == 2);
  CHECK(us.target == "us.tenant.test.");
  const auto& m = us.monitor;
  CHECK(m.protocol == routing::Protocol::https);
  CHECK(m.port == 443);
  CHECK(m.interval == 10s);
  CHECK(m.timeout == 5s);
  CHECK(m.tolerated_failures == 1);
  CHECK(m.successes_to_recover == 1);
  REQUIRE(m.expected_status.size() == 2);
  CHECK(m.expected_status[0].first == 200);
  CHECK(m.expected_status[0].last == 299);
  CHECK(m.expected_status[1].first == 403);
  CHECK(m.expected_status[1].last == 403);
  CHECK(m.ca_file == conf_test::data_path("certs/ca.pem"));
  REQUIRE(m.headers.size() == 1);
  CHECK(m.headers[0].name == "Authorization");
  CHECK(m.headers[0].value.reveal() == "Basic ZXU6c2VjcmV0");  // file value, newline stripped
}

TEST_CASE("valid config: an apex profile is flattened; IP endpoints keep their address bytes") {
  const auto result = load_valid();
  REQUIRE(result.config);
  const auto& profile = result.config->model.profiles[1];
  CHECK(profile.name == "tm.example.com.");
  CHECK(profile.flatten);
  REQUIRE(profile.endpoints.size() == 2);
  const auto& v4 = profile.endpoints[0];
  CHECK(v4.kind == routing::TargetKind::ipv4);
  CHECK(v4.priority == 1);  // default: the position
  CHECK(v4.health_id == 2);
  CHECK(v4.target == "192.0.2.10");
  CHECK(std::vector<std::uint8_t>(v4.address.begin(), v4.address.begin() + 4) ==
        std::vector<std::uint8_t>{192, 0, 2, 10});
  const auto& v6 = profile.endpoints[1];
  CHECK(v6.kind == routing::TargetKind::ipv6);
  CHECK(v6.priority == 2);
  CHECK(v6.target == "2001:db8::10");
  CHECK(v6.address[0] == 0x20);
  CHECK(v6.address[15] == 0x10);
  CHECK(v6.probe_host == "probe.tenant.test.");
  CHECK_FALSE(v6.enabled);
  // The Traffic Manager defaults: interval 30s, timeout 10s, 3 tolerated failures, 200-299.
  const auto& m = v4.monitor;
  CHECK(m.protocol == routing::Protocol::https);
  CHECK(m.port == 443);
  CHECK(m.path == "/");
  CHECK(m.interval == 30s);
  CHECK(m.timeout == 10s);
  CHECK(m.tolerated_failures == 3);
  REQUIRE(m.expected_status.size() == 1);
  CHECK(m.expected_status[0].first == 200);
  CHECK(m.expected_status[0].last == 299);
  CHECK(m.verify_tls);
  CHECK(m.max_body_bytes == 65536);
  CHECK(m.headers.empty());
}

TEST_CASE("valid config: a minimal config needs only a zone; [server] keeps its defaults") {
  const auto result = conf_test::load(conf_test::zone_toml);
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const conf::ServerSection defaults;
  CHECK(result.config->server.listen == defaults.listen);
  CHECK(result.config->server.workers == defaults.workers);
  CHECK(result.config->server.udp_payload == defaults.udp_payload);
  CHECK_FALSE(result.config->server.chaos_version);
  CHECK(result.config->log_level == conf::LogLevel::info);
  CHECK(result.config->model.profiles.empty());
}

TEST_CASE(
    "valid config: the timeout defaults to half the interval, at most 10s, and the port follows "
    "the protocol") {
  std::string toml(conf_test::zone_toml);
  toml += R"([[profile]]
name = "a.tm.example.com"
[profile.monitor]
protocol = "http"
interval = "1s"
[[profile.endpoint]]
name = "x"
target = "192.0.2.1"
[profile.endpoint.monitor]
interval = "2m"
protocol = "tcp"
port = 22
)";
  const auto result = conf_test::load(toml);
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto& profile = result.config->model.profiles[0];
  CHECK_FALSE(profile.flatten);
  const auto& m = profile.endpoints[0].monitor;
  CHECK(m.protocol == routing::Protocol::tcp);
  CHECK(m.port == 22);
  CHECK(m.interval == 2min);
  CHECK(m.timeout == 10s);
  const auto r2 = conf_test::load(std::string(conf_test::zone_toml) + R"([[profile]]
name = "b.tm.example.com"
[profile.monitor]
protocol = "http"
interval = "1s"
[[profile.endpoint]]
name = "x"
target = "192.0.2.1"
)");
  REQUIRE(r2.config);
  CHECK(r2.config->model.profiles[0].endpoints[0].monitor.timeout == 500ms);
  CHECK(r2.config->model.profiles[0].endpoints[0].monitor.port == 80);
}
