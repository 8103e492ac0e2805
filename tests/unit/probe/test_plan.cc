// Plan: deduplication of probes, disabled endpoints, flattened targets.
#include <doctest/doctest.h>

#include "probe/plan.hh"

using routing::Endpoint;
using routing::Model;
using routing::Profile;

namespace {

Endpoint endpoint(std::string name, std::string target, routing::EndpointId id) {
  Endpoint e;
  e.name = std::move(name);
  e.kind =
      probe::is_address_literal(target) ? routing::TargetKind::ipv4 : routing::TargetKind::name;
  e.target = target;
  e.probe_host = target;
  e.health_id = id;
  e.monitor.port = 8443;
  e.monitor.path = "/http/ping";
  e.monitor.headers = {{"Authorization", routing::Secret("Basic abc")}};
  return e;
}

Profile profile(std::string name, std::vector<Endpoint> endpoints, bool flatten = false) {
  Profile p;
  p.name = std::move(name);
  p.endpoints = std::move(endpoints);
  p.flatten = flatten;
  p.ttl = 30;
  return p;
}

}  // namespace

TEST_CASE("plan: the same host, port and monitor in two profiles is probed once") {
  Model m;
  m.profiles = {profile("a.", {endpoint("eu", "eu.tenant.test.", 0)}),
                profile("b.", {endpoint("eu-too", "EU.Tenant.Test.", 1)})};
  const auto plan = probe::make_plan(m);
  REQUIRE(plan.probes.size() == 1);
  CHECK(plan.probes[0].host == "eu.tenant.test");
  CHECK_FALSE(plan.probes[0].host_is_address);
  REQUIRE(plan.probes[0].subscribers.size() == 2);
  CHECK(plan.probes[0].subscribers[0].id == 0);
  CHECK(plan.probes[0].subscribers[1].id == 1);
  CHECK(plan.probes[0].subscribers[1].profile == "b.");
  CHECK(plan.probes[0].subscribers[1].endpoint == "eu-too");
}

TEST_CASE("plan: any monitor difference makes a separate probe") {
  auto other_path = endpoint("b", "eu.tenant.test.", 1);
  other_path.monitor.path = "/other";
  auto other_port = endpoint("c", "eu.tenant.test.", 2);
  other_port.monitor.port = 9443;
  auto other_header = endpoint("d", "eu.tenant.test.", 3);
  other_header.monitor.headers[0].value = routing::Secret("Basic xyz");
  auto other_ranges = endpoint("e", "eu.tenant.test.", 4);
  other_ranges.monitor.expected_status = {{200, 299}, {403, 403}};
  Model m;
  m.profiles = {profile("a.", {endpoint("a", "eu.tenant.test.", 0), other_path, other_port,
                               other_header, other_ranges})};
  CHECK(probe::make_plan(m).probes.size() == 5);
}

TEST_CASE("plan: disabled endpoints are neither probed nor flattened") {
  auto off = endpoint("us", "us.tenant.test.", 1);
  off.enabled = false;
  Model m;
  m.profiles = {profile("a.", {endpoint("eu", "eu.tenant.test.", 0), off}, true)};
  const auto plan = probe::make_plan(m);
  REQUIRE(plan.probes.size() == 1);
  CHECK(plan.probes[0].subscribers[0].id == 0);
  REQUIRE(plan.flats.size() == 1);
  CHECK(plan.flats[0].name == "eu.tenant.test.");
}

TEST_CASE("plan: the probe host overrides the target; address literals skip resolution") {
  auto e = endpoint("eu", "eu.tenant.test.", 0);
  e.probe_host = "127.0.0.2";
  auto v6 = endpoint("v6", "::1", 1);
  Model m;
  m.profiles = {profile("a.", {e, v6})};
  const auto plan = probe::make_plan(m);
  REQUIRE(plan.probes.size() == 2);
  CHECK(plan.probes[0].host == "127.0.0.2");
  CHECK(plan.probes[0].host_is_address);
  CHECK(plan.probes[1].host == "::1");
  CHECK(plan.probes[1].host_is_address);
}

TEST_CASE("plan: flattened profiles resolve each FQDN target once, with each profile's TTL") {
  auto short_ttl = profile("b.", {endpoint("eu", "eu.tenant.test.", 2)}, true);
  short_ttl.ttl = 1;
  Model m;
  m.profiles = {
      profile("a.", {endpoint("eu", "eu.tenant.test.", 0), endpoint("ip", "127.0.0.3", 1)}, true),
      short_ttl, profile("c.", {endpoint("us", "us.tenant.test.", 3)}, false)};
  const auto plan = probe::make_plan(m);
  REQUIRE(plan.flats.size() == 1);  // IP targets and unflattened profiles need no lookup
  REQUIRE(plan.flats[0].subscribers.size() == 2);
  CHECK(plan.flats[0].subscribers[0].id == 0);
  CHECK(plan.flats[0].subscribers[0].profile_ttl == 30);
  CHECK(plan.flats[0].subscribers[1].id == 2);
  CHECK(plan.flats[0].subscribers[1].profile_ttl == 1);
}

TEST_CASE("plan: always_serve and nested-profile endpoints are not probed") {
  Model m;
  auto always = endpoint("standby", "192.0.2.9", 1);
  always.always_serve = true;
  auto nested = endpoint("child", "", 2);
  nested.kind = routing::TargetKind::profile;
  nested.target = "child.";
  nested.probe_host = "child.";
  m.profiles = {profile("a.", {endpoint("eu", "eu.tenant.test.", 0), always, nested})};
  m.endpoint_count = 3;
  const auto plan = probe::make_plan(m);
  REQUIRE(plan.probes.size() == 1);
  CHECK(plan.probes[0].host == "eu.tenant.test");
  REQUIRE(plan.probes[0].subscribers.size() == 1);
  CHECK(plan.probes[0].subscribers[0].id == 0);
}

TEST_CASE("plan: credentials over plain http get one warning line per endpoint, without values") {
  auto plain = endpoint("eu", "eu.tenant.test.", 0);
  plain.monitor.protocol = routing::Protocol::http;
  plain.monitor.headers.push_back({"X-Api-Key", routing::Secret("key-0123")});
  auto shared = plain;  // the same probe, a second subscriber
  shared.name = "eu-again";
  shared.health_id = 1;
  auto tls = endpoint("us", "us.tenant.test.", 2);
  tls.monitor.protocol = routing::Protocol::https;
  auto bare = endpoint("ap", "ap.tenant.test.", 3);
  bare.monitor.protocol = routing::Protocol::http;
  bare.monitor.headers.clear();
  auto off = endpoint("off", "off.tenant.test.", 4);
  off.monitor = plain.monitor;
  off.enabled = false;
  Model m;
  m.profiles = {profile("a.", {plain, tls, bare, off}), profile("b.", {shared})};
  const auto lines = probe::plain_http_credential_warnings(probe::make_plan(m));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "probe: profile=a. endpoint=eu sends Authorization, X-Api-Key over plain http");
  CHECK(lines[1] ==
        "probe: profile=b. endpoint=eu-again sends Authorization, X-Api-Key over plain http");
  for (const auto& line : lines) {
    CHECK(line.find("abc") == std::string::npos);
    CHECK(line.find("key-0123") == std::string::npos);
  }
}
