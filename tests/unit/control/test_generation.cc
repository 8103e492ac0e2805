// carry_over(): what a reload keeps. Configs are real TOML through conf::load_string.
#include <doctest/doctest.h>

#include "config_fixture.hh"
#include "control/generation.hh"

using namespace control;
using control_test::generation;
using control_test::zone_toml;
using routing::MonitorStatus;
using routing::Reason;

namespace {

std::string profile(const std::string& name, const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& endpoints) {
  std::string out = "\n[[profile]]\nname = \"" + name +
                    "\"\nmethod = \"priority\"\n[profile.monitor]\nprotocol = \"http\"\npath = \"" +
                    path + "\"\n";
  int priority = 1;
  for (const auto& [endpoint, target] : endpoints)
    out += "[[profile.endpoint]]\nname = \"" + endpoint + "\"\ntarget = \"" + target +
           "\"\npriority = " + std::to_string(priority++) + "\n";
  return out;
}

const routing::Endpoint& find(const Generation& g, const std::string& profile_name,
                              const std::string& endpoint) {
  for (const auto& p : g.config->model.profiles)
    if (p.name == profile_name)
      for (const auto& e : p.endpoints)
        if (e.name == endpoint) return e;
  FAIL("no such endpoint");
  throw;
}

}  // namespace

TEST_CASE("carry over: unchanged endpoints keep health, history and flattened addresses") {
  auto before = generation(
      zone_toml + profile("ci.tm.test.", "/ping", {{"eu", "192.0.2.1"}, {"us", "192.0.2.2"}}));
  const auto& eu = find(*before, "ci.tm.test.", "eu");
  before->writer.probed(eu.health_id, MonitorStatus::degraded, Reason::timeout, 0);
  before->writer.set_admin_disabled(eu.health_id, true);
  probe::Verdict failed;
  failed.reason = Reason::timeout;
  failed.detail = "timeout after 500ms";
  before->history.record(eu.health_id, failed, {MonitorStatus::degraded, 4, 0, Reason::timeout, 3},
                         {});
  routing::AddressList addresses;
  addresses.v4_count = 1;
  addresses.v4[0] = {192, 0, 2, 99};
  before->flat.store(eu.health_id, addresses);

  // A new profile first, so every endpoint id moves: matching is by name, not by id.
  auto after =
      generation(zone_toml + profile("new.tm.test.", "/", {{"x", "192.0.2.9"}}) +
                 profile("CI.tm.test.", "/ping", {{"eu", "192.0.2.1"}, {"us", "192.0.2.2"}}));
  CHECK(carry_over(*before, *after) == 2);
  const auto& eu_after = find(*after, "CI.tm.test.", "eu");
  CHECK(eu_after.health_id != eu.health_id);
  const routing::Health health = after->health.load(eu_after.health_id);
  CHECK(health.status == MonitorStatus::degraded);
  CHECK(health.reason == Reason::timeout);
  CHECK_FALSE(health.admin_disabled);  // overrides are re-applied by the Runtime, not copied
  const auto record = after->history.get(eu_after.health_id);
  CHECK(record.probed);
  CHECK(record.last_failure == "timeout after 500ms");
  CHECK(record.tracker.failure_run == 4);
  routing::AddressList copied;
  REQUIRE(after->flat.load(eu_after.health_id, copied));
  CHECK(copied.v4[0][3] == 99);
  const auto& x = find(*after, "new.tm.test.", "x");
  CHECK(after->health.load(x.health_id).status == MonitorStatus::checking_endpoint);
  CHECK_FALSE(after->history.get(x.health_id).probed);
}

TEST_CASE(
    "carry over: a changed target or monitor is a new endpoint, starting in CheckingEndpoint") {
  auto before = generation(
      zone_toml + profile("ci.tm.test.", "/ping", {{"eu", "192.0.2.1"}, {"us", "192.0.2.2"}}));
  for (const auto& e : before->config->model.profiles[0].endpoints)
    before->writer.probed(e.health_id, MonitorStatus::online, Reason::none, 5);
  auto moved = generation(
      zone_toml + profile("ci.tm.test.", "/ping", {{"eu", "192.0.2.7"}, {"us", "192.0.2.2"}}));
  CHECK(carry_over(*before, *moved) == 1);
  CHECK(moved->health.load(find(*moved, "ci.tm.test.", "eu").health_id).status ==
        MonitorStatus::checking_endpoint);
  CHECK(moved->health.load(find(*moved, "ci.tm.test.", "us").health_id).status ==
        MonitorStatus::online);
  auto reprobed = generation(
      zone_toml + profile("ci.tm.test.", "/health", {{"eu", "192.0.2.1"}, {"us", "192.0.2.2"}}));
  CHECK(carry_over(*before, *reprobed) == 0);
}
