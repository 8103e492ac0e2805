#include <doctest/doctest.h>

#include "routing/health_writer.hh"
#include "routing/pick.hh"
#include "routing/profile_status.hh"

using namespace routing;

namespace {

Profile three_endpoints() {
  Profile profile;
  profile.name = "ci.tm.example.";
  for (std::uint16_t i = 0; i < 3; ++i) {
    Endpoint endpoint;
    endpoint.name = "e" + std::to_string(i);
    endpoint.priority = static_cast<std::uint16_t>(i + 1);
    endpoint.health_id = i;
    profile.endpoints.push_back(endpoint);
  }
  return profile;
}

std::vector<std::uint16_t> picked(const Pick& pick) {
  return {pick.endpoints.begin(), pick.endpoints.begin() + pick.count};
}

}  // namespace

TEST_CASE("priority: lowest healthy priority wins") {
  const Profile profile = three_endpoints();
  HealthTable health(3);
  HealthWriter writer(health);
  for (EndpointId id = 0; id < 3; ++id) writer.probed(id, MonitorStatus::online, Reason::none, 5);
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{0});
  writer.probed(0, MonitorStatus::degraded, Reason::status, 0);
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{1});
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);
  const Pick last = pick(profile, health, {});
  CHECK(picked(last) == std::vector<std::uint16_t>{2});
  CHECK_FALSE(last.all_degraded);
  writer.probed(0, MonitorStatus::online, Reason::none, 5);  // fail back
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{0});
}

TEST_CASE("priority: CheckingEndpoint is served unless the profile waits for a verdict") {
  Profile profile = three_endpoints();
  HealthTable health(3);
  HealthWriter writer(health);
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{0});
  profile.serve_while_checking = false;
  writer.probed(1, MonitorStatus::online, Reason::none, 5);
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{1});
}

TEST_CASE("priority: endpoints disabled in the config or by hand are never answered") {
  Profile profile = three_endpoints();
  HealthTable health(3);
  HealthWriter writer(health);
  for (EndpointId id = 0; id < 3; ++id) writer.probed(id, MonitorStatus::online, Reason::none, 5);
  profile.endpoints[0].enabled = false;
  writer.set_admin_disabled(1, true);
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{2});
  CHECK(health.load(1).status == MonitorStatus::online);  // probing state kept apart
  // Even when everything else is down, a disabled endpoint stays out of the fallback.
  writer.probed(2, MonitorStatus::degraded, Reason::refused, 0);
  const Pick fallback = pick(profile, health, {});
  CHECK(fallback.all_degraded);
  CHECK(picked(fallback) == std::vector<std::uint16_t>{2});
  writer.set_admin_disabled(1, false);
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{1});
}

TEST_CASE("all degraded: 'first' answers the top endpoint, 'all' every enabled one") {
  Profile profile = three_endpoints();
  HealthTable health(3);
  HealthWriter writer(health);
  for (EndpointId id = 0; id < 3; ++id)
    writer.probed(id, MonitorStatus::degraded, Reason::timeout, 0);
  profile.all_degraded = AllDegraded::first;
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{0});
  profile.all_degraded = AllDegraded::all;
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{0, 1, 2});
  profile.endpoints[1].enabled = false;
  CHECK(picked(pick(profile, health, {})) == std::vector<std::uint16_t>{0, 2});
}

TEST_CASE("all disabled: nothing is picked, so the name answers NODATA") {
  Profile profile = three_endpoints();
  HealthTable health(3);
  HealthWriter writer(health);
  for (auto& endpoint : profile.endpoints) endpoint.enabled = false;
  CHECK(pick(profile, health, {}).count == 0);
}

TEST_CASE("health word: packs and unpacks every field") {
  const Health health{MonitorStatus::degraded, true, Reason::tls, 65535};
  CHECK(Health::unpack(health.pack()) == health);
  CHECK(to_string(MonitorStatus::checking_endpoint) == "CheckingEndpoint");
}

TEST_CASE("operator state: Disabled by config or by hand, else the probed state") {
  Endpoint endpoint;
  Health health{MonitorStatus::online, false, Reason::none, 3};
  CHECK(operator_state(endpoint, health) == "Online");
  health.status = MonitorStatus::degraded;
  CHECK(operator_state(endpoint, health) == "Degraded");
  health.admin_disabled = true;
  CHECK(operator_state(endpoint, health) == "Disabled");
  health.admin_disabled = false;
  endpoint.enabled = false;
  CHECK(operator_state(endpoint, health) == "Disabled");
}

TEST_CASE("profile monitor status: Disabled, Inactive, CheckingEndpoints, Online, Degraded") {
  Profile profile = three_endpoints();
  HealthTable health(3);
  HealthWriter writer(health);
  CHECK(profile_monitor_status(profile, health) == "CheckingEndpoints");
  writer.probed(0, MonitorStatus::online, Reason::none, 5);
  CHECK(profile_monitor_status(profile, health) == "Online");
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(profile_monitor_status(profile, health) == "Degraded");
  writer.set_admin_disabled(1, true);
  CHECK(profile_monitor_status(profile, health) == "Online");
  for (auto& endpoint : profile.endpoints) endpoint.enabled = false;
  CHECK(profile_monitor_status(profile, health) == "Inactive");
  profile.enabled = false;
  CHECK(profile_monitor_status(profile, health) == "Disabled");
}
