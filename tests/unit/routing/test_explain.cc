// explain(): the steps each method contributes, and that the answer it reports is pick()'s.
#include <doctest/doctest.h>

#include "routing/address_range.hh"
#include "routing/explain.hh"
#include "routing/health_writer.hh"

using namespace routing;

namespace {

Profile two_endpoints() {
  Profile profile;
  profile.name = "ci.tm.example.";
  for (std::uint16_t i = 0; i < 2; ++i) {
    Endpoint endpoint;
    endpoint.name = i == 0 ? "eu" : "us";
    endpoint.target = endpoint.name + ".tenant.example.";
    endpoint.priority = static_cast<std::uint16_t>(i + 1);
    endpoint.health_id = i;
    profile.endpoints.push_back(endpoint);
  }
  return profile;
}

std::string joined(const Explanation& why) {
  std::string out;
  for (const auto& step : why.steps) out += step + "\n";
  return out;
}

}  // namespace

TEST_CASE("explain priority: skipped endpoints are named with their state, then the choice") {
  const Profile profile = two_endpoints();
  HealthTable health(2);
  HealthWriter writer(health);
  writer.probed(0, MonitorStatus::degraded, Reason::status, 0);
  writer.probed(1, MonitorStatus::online, Reason::none, 4);
  const Explanation why = explain(profile, health, {});
  REQUIRE(why.steps.size() == 6);
  CHECK(why.steps[0] == "profile ci.tm.example. uses the priority method");
  CHECK(why.steps[2] == "priority 1: eu (eu.tenant.example.): Degraded, skipped");
  CHECK(why.steps[3] == "priority 2: us (us.tenant.example.): Online, available");
  CHECK(why.steps[4] == "chosen: us (lowest priority number available)");
  CHECK(why.steps[5] == "answer: us");
  CHECK(why.pick.count == 1);
  CHECK(why.pick.endpoints[0] == 1);
}

TEST_CASE("explain priority: an operator's disable and the all-degraded fallback are spelled out") {
  Profile profile = two_endpoints();
  HealthTable health(2);
  HealthWriter writer(health);
  writer.probed(0, MonitorStatus::online, Reason::none, 4);
  writer.set_admin_disabled(0, true);
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);
  const Explanation why = explain(profile, health, {});
  const std::string text = joined(why);
  INFO(text);
  CHECK(text.find("eu (eu.tenant.example.): disabled by an operator, skipped") !=
        std::string::npos);
  CHECK(text.find("us (us.tenant.example.): Degraded, skipped") != std::string::npos);
  CHECK(text.find("no endpoint is available: all_degraded = \"first\"") != std::string::npos);
  CHECK(why.steps.back() == "answer: us");  // eu is off by hand, so the fallback skips it
  CHECK(why.pick.all_degraded);
}

TEST_CASE("explain weighted: each endpoint's weight, state and chance") {
  Profile profile = two_endpoints();
  profile.method = Method::weighted;
  profile.endpoints[0].weight = 3;
  profile.endpoints[1].weight = 1;
  HealthTable health(2);
  HealthWriter writer(health);
  const Explanation why = explain(profile, health, {});
  const std::string text = joined(why);
  INFO(text);
  CHECK(why.steps[0] == "profile ci.tm.example. uses the weighted method");
  CHECK(text.find("weight 3: eu (eu.tenant.example.): ") != std::string::npos);
  CHECK(text.find("(chance 75.0%)") != std::string::npos);
  CHECK(text.find("(chance 25.0%)") != std::string::npos);
  writer.probed(0, MonitorStatus::degraded, Reason::timeout, 0);
  const std::string after = joined(explain(profile, health, {}));
  INFO(after);
  CHECK(after.find("weight 3: eu (eu.tenant.example.): Degraded, skipped\n") != std::string::npos);
  CHECK(after.find("(chance 100.0%)") != std::string::npos);
  CHECK(explain(profile, health, {}).pick.endpoints[0] == 1);
}

TEST_CASE("explain subnet: the client's address and the range that holds it") {
  Profile profile = two_endpoints();
  profile.method = Method::subnet;
  std::string why_not;
  AddressRange range;
  REQUIRE(parse_range("10.0.0.0/8", range, why_not));
  profile.endpoints[0].ranges.push_back(range);
  HealthTable health(2);
  HealthWriter writer(health);
  ClientInfo client;
  client.address = {10, 1, 2, 3};
  const Explanation why = explain(profile, health, client);
  const std::string text = joined(why);
  INFO(text);
  CHECK(text.find("client 10.1.2.3 (source address)") != std::string::npos);
  CHECK(text.find("10.0.0.0/8 (holds the client): eu") != std::string::npos);
  CHECK(text.find("no ranges (the fallback): us") != std::string::npos);
  CHECK(why.pick.endpoints[0] == 0);
}
