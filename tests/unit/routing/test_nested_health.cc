// Nested profiles: the parent endpoint's derived state follows its child's endpoints, computed
// by the writer when a child word changes (Traffic Manager's rules, see nested_health.hh).
#include <doctest/doctest.h>

#include "routing/health_writer.hh"
#include "routing/pick.hh"

using namespace routing;

namespace {

// Profile 0 (parent, priority): endpoint 0 nests profile 1, endpoint 1 is an IP standby.
// Profile 1 (child, weighted): three IP endpoints, ids 2, 3 (IPv4) and 4 (IPv6).
Model nested_model(std::uint16_t min_child = 2) {
  Model model;
  Profile parent;
  parent.name = "parent.example.";
  Endpoint nested;
  nested.name = "child";
  nested.kind = TargetKind::profile;
  nested.child = 1;
  nested.min_child_endpoints = min_child;
  nested.health_id = 0;
  Endpoint standby;
  standby.name = "standby";
  standby.kind = TargetKind::ipv4;
  standby.health_id = 1;
  parent.endpoints = {nested, standby};
  Profile child;
  child.name = "child.example.";
  child.method = Method::weighted;
  for (EndpointId id = 2; id <= 4; ++id) {
    Endpoint e;
    e.name = "c" + std::to_string(id);
    e.kind = id == 4 ? TargetKind::ipv6 : TargetKind::ipv4;
    e.health_id = id;
    child.endpoints.push_back(e);
  }
  model.profiles = {parent, child};
  model.endpoint_count = 5;
  return model;
}

MonitorStatus status(const HealthTable& health, EndpointId id) { return health.load(id).status; }

void set(HealthWriter& writer, EndpointId id, MonitorStatus s) {
  writer.probed(id, s, s == MonitorStatus::degraded ? Reason::timeout : Reason::none, 1);
}

}  // namespace

TEST_CASE("nested: children failing one by one past min_child_endpoints degrade the parent") {
  const Model model = nested_model(2);
  HealthTable health(5);
  HealthWriter writer(model, health);
  writer.refresh_all();
  CHECK(status(health, 0) == MonitorStatus::checking_endpoint);  // 0 Online, 3 checking
  set(writer, 2, MonitorStatus::online);
  CHECK(status(health, 0) == MonitorStatus::checking_endpoint);  // 1 Online + 2 checking
  set(writer, 3, MonitorStatus::online);
  const auto changes = writer.probed(3, MonitorStatus::online, Reason::none, 1);  // no news
  CHECK(changes.empty());
  CHECK(status(health, 0) == MonitorStatus::online);
  set(writer, 4, MonitorStatus::online);
  CHECK(status(health, 0) == MonitorStatus::online);
  set(writer, 2, MonitorStatus::degraded);  // 2 Online left: still enough
  CHECK(status(health, 0) == MonitorStatus::online);
  const auto last = writer.probed(3, MonitorStatus::degraded, Reason::timeout, 0);  // 1 Online
  REQUIRE(last.size() == 1);
  CHECK(last[0].old_status == MonitorStatus::online);
  CHECK(last[0].new_status == MonitorStatus::degraded);
  CHECK(last[0].endpoint == "child");
  CHECK(status(health, 0) == MonitorStatus::degraded);
  // The parent's pick moves to its standby, without walking the child per query.
  Profile parent = model.profiles[0];
  writer.probed(1, MonitorStatus::online, Reason::none, 1);
  const Pick p = pick(parent, health, {});
  CHECK(p.endpoints[0] == 1);
  set(writer, 3, MonitorStatus::online);
  CHECK(status(health, 0) == MonitorStatus::online);
}

TEST_CASE("nested: per-family minimums, always_serve counts, disabled child is Stopped") {
  Model model = nested_model(1);
  model.profiles[0].endpoints[0].min_child_endpoints_ipv6 = 1;
  HealthTable health(5);
  HealthWriter writer(model, health);
  writer.refresh_all();
  set(writer, 2, MonitorStatus::online);
  set(writer, 3, MonitorStatus::online);
  set(writer, 4, MonitorStatus::degraded);
  CHECK(status(health, 0) == MonitorStatus::degraded);  // no IPv6 endpoint Online
  model.profiles[1].endpoints[2].always_serve = true;
  writer.refresh_all();
  CHECK(status(health, 0) == MonitorStatus::online);
  model.profiles[1].enabled = false;
  const auto changes = writer.refresh_all();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].new_status == MonitorStatus::stopped);
  CHECK(to_string(status(health, 0)) == "Stopped");
  CHECK_FALSE(is_usable(model.profiles[0].endpoints[0], health));  // not even as a fallback
}

TEST_CASE("nested: a change two levels down reaches the top") {
  Model model = nested_model(1);
  // Profile 2 nests profile 0 (which nests profile 1).
  Profile top;
  top.name = "top.example.";
  Endpoint e;
  e.name = "mid";
  e.kind = TargetKind::profile;
  e.child = 0;
  e.health_id = 5;
  top.endpoints = {e};
  model.profiles.push_back(top);
  model.endpoint_count = 6;
  HealthTable health(6);
  HealthWriter writer(model, health);
  writer.refresh_all();
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);  // the standby: down
  for (EndpointId id : {2u, 3u, 4u}) set(writer, id, MonitorStatus::online);
  CHECK(status(health, 0) == MonitorStatus::online);
  CHECK(status(health, 5) == MonitorStatus::online);
  for (EndpointId id : {2u, 3u, 4u}) set(writer, id, MonitorStatus::degraded);
  CHECK(status(health, 0) == MonitorStatus::degraded);
  CHECK(status(health, 5) == MonitorStatus::degraded);
}
