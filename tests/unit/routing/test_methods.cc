// Weighted, multivalue and subnet picks, and always_serve, against a HealthTable set by hand.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "routing/address_range.hh"
#include "routing/health_writer.hh"
#include "routing/methods/weighted.hh"
#include "routing/pick.hh"
#include "routing/random.hh"

using namespace routing;

namespace {

Endpoint ip_endpoint(const std::string& name, const std::string& address, EndpointId id) {
  Endpoint endpoint;
  endpoint.name = name;
  std::string why;
  AddressRange parsed;
  REQUIRE(parse_range(address, parsed, why));
  endpoint.kind = parsed.v6 ? TargetKind::ipv6 : TargetKind::ipv4;
  endpoint.address = parsed.first;
  endpoint.target = address;
  endpoint.health_id = id;
  return endpoint;
}

Profile profile_of(Method method, const std::vector<std::string>& addresses) {
  Profile profile;
  profile.name = "p.tm.example.";
  profile.method = method;
  for (std::size_t i = 0; i < addresses.size(); ++i)
    profile.endpoints.push_back(
        ip_endpoint("e" + std::to_string(i), addresses[i], static_cast<EndpointId>(i)));
  return profile;
}

void all_online(HealthWriter& writer) {
  for (EndpointId id = 0; id < writer.size(); ++id)
    writer.probed(id, MonitorStatus::online, Reason::none, 5);
}

std::vector<std::uint16_t> picked(const Pick& pick) {
  return {pick.endpoints.begin(), pick.endpoints.begin() + pick.count};
}

ClientInfo client_at(const std::string& address) {
  AddressRange parsed;
  std::string why;
  REQUIRE(parse_range(address, parsed, why));
  ClientInfo client;
  client.address = parsed.first;
  client.is_ipv6 = parsed.v6;
  return client;
}

AddressRange range(const std::string& text) {
  AddressRange parsed;
  std::string why;
  REQUIRE_MESSAGE(parse_range(text, parsed, why), why);
  return parsed;
}

}  // namespace

TEST_CASE("weighted: over 100,000 picks the split matches the weights (chi-square, fixed seed)") {
  Profile profile = profile_of(Method::weighted,
                               {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"});
  const std::vector<std::uint16_t> weights{1, 10, 100, 389, 500};
  for (std::size_t i = 0; i < weights.size(); ++i) profile.endpoints[i].weight = weights[i];
  HealthTable health(5);
  HealthWriter writer(health);
  all_online(writer);
  seed_thread_rng(20261124);
  constexpr int picks = 100'000;
  std::vector<int> counts(5, 0);
  for (int i = 0; i < picks; ++i) {
    const Pick result = pick(profile, health, {});
    REQUIRE(result.count == 1);
    ++counts[result.endpoints[0]];
  }
  double chi_square = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double expected = picks * weights[i] / 1000.0;
    chi_square += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  INFO("counts " << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3] << " "
                 << counts[4] << ", chi-square " << chi_square);
  // 4 degrees of freedom: P(chi-square > 18.47) = 0.001 for a fair draw.
  CHECK(chi_square < 18.47);
  CHECK(counts[0] > 0);  // weight 1 of 1000 still gets its share, not starved
}

TEST_CASE("weighted: the same seed gives the same sequence; a bad generator fails the bound") {
  Rng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    CHECK(x == b.next());
    differs = differs || x != c.next();
  }
  CHECK(differs);
  for (int i = 0; i < 1000; ++i) CHECK(a.below(3) < 3u);
}

TEST_CASE("weighted: degraded and disabled endpoints never drawn; all degraded falls back") {
  Profile profile = profile_of(Method::weighted, {"192.0.2.1", "192.0.2.2", "192.0.2.3"});
  HealthTable health(3);
  HealthWriter writer(health);
  all_online(writer);
  writer.probed(0, MonitorStatus::degraded, Reason::timeout, 0);
  profile.endpoints[1].enabled = false;
  seed_thread_rng(1);
  for (int i = 0; i < 1000; ++i)
    CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{2});
  writer.probed(2, MonitorStatus::degraded, Reason::timeout, 0);
  const Pick fallback = pick(profile, health, {});
  CHECK(fallback.all_degraded);
  CHECK(picked(fallback) == std::vector<std::uint16_t>{0});
}

TEST_CASE("multivalue: available endpoints of the query's family, up to max_return") {
  Profile profile = profile_of(
      Method::multivalue, {"192.0.2.1", "2001:db8::1", "192.0.2.2", "192.0.2.3", "2001:db8::2"});
  profile.max_return = 2;
  HealthTable health(5);
  HealthWriter writer(health);
  all_online(writer);
  CHECK(picked(pick(profile, health, {}, Want::ipv4)) == std::vector<std::uint16_t>{0, 2});
  CHECK(picked(pick(profile, health, {}, Want::ipv6)) == std::vector<std::uint16_t>{1, 4});
  profile.max_return = 10;
  CHECK(picked(pick(profile, health, {}, Want::ipv4)) == std::vector<std::uint16_t>{0, 2, 3});
  writer.probed(2, MonitorStatus::degraded, Reason::status, 0);
  CHECK(picked(pick(profile, health, {}, Want::ipv4)) == std::vector<std::uint16_t>{0, 3});
  writer.set_admin_disabled(0, true);
  CHECK(picked(pick(profile, health, {}, Want::ipv4)) == std::vector<std::uint16_t>{3});
}

TEST_CASE("multivalue: when one family is all degraded, its fallback stays in that family") {
  Profile profile = profile_of(Method::multivalue, {"192.0.2.1", "2001:db8::1", "192.0.2.2"});
  profile.all_degraded = AllDegraded::all;
  HealthTable health(3);
  HealthWriter writer(health);
  all_online(writer);
  writer.probed(0, MonitorStatus::degraded, Reason::status, 0);
  writer.probed(2, MonitorStatus::degraded, Reason::status, 0);
  const Pick v4 = pick(profile, health, {}, Want::ipv4);
  CHECK(v4.all_degraded);
  CHECK(picked(v4) == std::vector<std::uint16_t>{0, 2});
  CHECK(picked(pick(profile, health, {}, Want::ipv6)) == std::vector<std::uint16_t>{1});
}

TEST_CASE("always_serve: answered whatever the probes say, unless switched off by hand") {
  Profile profile = profile_of(Method::priority, {"192.0.2.1", "192.0.2.2"});
  profile.endpoints[0].always_serve = true;
  HealthTable health(2);
  HealthWriter writer(health);
  all_online(writer);
  writer.probed(0, MonitorStatus::degraded, Reason::timeout, 0);
  const Pick result = pick(profile, health, {});
  CHECK(picked(result) == std::vector<std::uint16_t>{0});
  CHECK_FALSE(result.all_degraded);
  CHECK(operator_state(profile.endpoints[0], health.load(0)) == "Unmonitored");
  writer.set_admin_disabled(0, true);
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{1});
  CHECK(operator_state(profile.endpoints[0], health.load(0)) == "Disabled");
}

TEST_CASE("address ranges: CIDR, single addresses and first-last, v4 and v6") {
  CHECK(range("10.0.0.0/8").prefix == 8);
  CHECK(range("192.0.2.7").prefix == 32);
  CHECK(range("2001:db8::/32").prefix == 32);
  CHECK(range("192.0.2.0-192.0.2.255").prefix == 24);  // a first-last that is a CIDR block
  CHECK(range("192.0.2.10-192.0.2.20").prefix == -1);
  AddressRange out;
  std::string why;
  CHECK_FALSE(parse_range("10.0.0.1/8", out, why));
  CHECK(why == "has bits set after the prefix length");
  CHECK_FALSE(parse_range("10.0.0.0/33", out, why));
  CHECK_FALSE(parse_range("192.0.2.20-192.0.2.10", out, why));
  CHECK_FALSE(parse_range("192.0.2.1-2001:db8::1", out, why));
  CHECK_FALSE(parse_range("example.com", out, why));
}

TEST_CASE("subnet: longest prefix wins, the endpoint without ranges catches the rest") {
  Profile profile =
      profile_of(Method::subnet, {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"});
  profile.endpoints[0].ranges = {range("10.0.0.0/8")};
  profile.endpoints[1].ranges = {range("10.1.0.0/16"), range("2001:db8::/32")};
  profile.endpoints[2].ranges = {range("172.16.0.10-172.16.0.20")};
  // endpoint 3: no ranges, the fallback
  HealthTable health(4);
  HealthWriter writer(health);
  all_online(writer);
  const Pick wide = pick(profile, health, client_at("10.2.3.4"));
  CHECK(picked(wide) == std::vector<std::uint16_t>{0});
  // 10.0.0.0/8 without 10.1.0.0/16: the answer holds for 10.2.0.0/15 around 10.2.3.4.
  CHECK(wide.scope_prefix == 15);
  const Pick narrow = pick(profile, health, client_at("10.1.200.1"));
  CHECK(picked(narrow) == std::vector<std::uint16_t>{1});
  CHECK(narrow.scope_prefix == 16);
  CHECK(picked(pick(profile, health, client_at("2001:db8:1::5"))) == std::vector<std::uint16_t>{1});
  const Pick odd = pick(profile, health, client_at("172.16.0.12"));
  CHECK(picked(odd) == std::vector<std::uint16_t>{2});
  CHECK(odd.scope_prefix == 30);  // 172.16.0.12/30 = .12-.15 lies inside .10-.20
  const Pick rest = pick(profile, health, client_at("198.51.100.1"));
  CHECK(picked(rest) == std::vector<std::uint16_t>{3});
  CHECK(rest.scope_prefix == 2);  // 192.0.0.0/2 meets none of the ranges
}

TEST_CASE("subnet: an unavailable match passes to the enclosing range, then the fallback") {
  Profile profile = profile_of(Method::subnet, {"192.0.2.1", "192.0.2.2", "192.0.2.3"});
  profile.endpoints[0].ranges = {range("10.0.0.0/8")};
  profile.endpoints[1].ranges = {range("10.1.0.0/16")};
  HealthTable health(3);
  HealthWriter writer(health);
  all_online(writer);
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(picked(pick(profile, health, client_at("10.1.0.1"))) == std::vector<std::uint16_t>{0});
  writer.probed(0, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(picked(pick(profile, health, client_at("10.1.0.1"))) == std::vector<std::uint16_t>{2});
  writer.probed(2, MonitorStatus::degraded, Reason::timeout, 0);
  const Pick degraded = pick(profile, health, client_at("10.1.0.1"));
  CHECK(degraded.all_degraded);
  CHECK(picked(degraded) == std::vector<std::uint16_t>{1});  // as if all were healthy
}

TEST_CASE("subnet: no range and no fallback is NODATA, never another client's endpoint") {
  Profile profile = profile_of(Method::subnet, {"192.0.2.1"});
  profile.endpoints[0].ranges = {range("10.0.0.0/8")};
  HealthTable health(1);
  HealthWriter writer(health);
  all_online(writer);
  const Pick none = pick(profile, health, client_at("11.0.0.1"));
  CHECK(none.count == 0);
  CHECK(none.no_match);
  CHECK(none.scope_prefix == 8);  // 11.0.0.0/7 would still reach 10/8
  CHECK(pick(profile, health, client_at("2001:db8::1")).count == 0);
}
