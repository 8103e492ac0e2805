// Nested profiles: the parent endpoint's derived state follows its child's endpoints, computed
// by the writer when a child word changes (Traffic Manager's rules, see nested_health.hh).
#include <doctest/doctest.h>

#include "routing/nested_health.hh"
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

void set(NestedHealth& nested, HealthTable& health, EndpointId id, MonitorStatus s) {
  health.store_probed(id, s, s == MonitorStatus::degraded ? Reason::timeout : Reason::none, 1);
  nested.on_change(id, health);
}

}  // namespace

TEST_CASE("nested: children failing one by one past min_child_endpoints degrade the parent") {
  const Model model = nested_model(2);
  HealthTable health(5);
  NestedHealth nested(model);
  nested.refresh_all(health);
  CHECK(status(health, 0) == MonitorStatus::checking_endpoint);  // 0 Online, 3 checking
  set(nested, health, 2, MonitorStatus::online);
  CHECK(status(health, 0) == MonitorStatus::checking_endpoint);  // 1 Online + 2 checking
  set(nested, health, 3, MonitorStatus::online);
  const auto changes = nested.on_change(3, health);  // nothing new: no second change reported
  CHECK(changes.empty());
  CHECK(status(health, 0) == MonitorStatus::online);
  set(nested, health, 4, MonitorStatus::online);
  CHECK(status(health, 0) == MonitorStatus::online);
  set(nested, health, 2, MonitorStatus::degraded);  // 2 Online left: still enough
  CHECK(status(health, 0) == MonitorStatus::online);
  health.store_probed(3, MonitorStatus::degraded, Reason::timeout, 0);
  const auto last = nested.on_change(3, health);  // 1 Online: below 2
  REQUIRE(last.size() == 1);
  CHECK(last[0].old_status == MonitorStatus::online);
  CHECK(last[0].new_status == MonitorStatus::degraded);
  CHECK(last[0].endpoint == "child");
  CHECK(status(health, 0) == MonitorStatus::degraded);
  // The parent's pick moves to its standby, without walking the child per query.
  Profile parent = model.profiles[0];
  health.store_probed(1, MonitorStatus::online, Reason::none, 1);
  const Pick p = pick(parent, health, {});
  CHECK(p.endpoints[0] == 1);
  set(nested, health, 3, MonitorStatus::online);
  CHECK(status(health, 0) == MonitorStatus::online);
}

TEST_CASE("nested: per-family minimums, always_serve counts, disabled child is Stopped") {
  Model model = nested_model(1);
  model.profiles[0].endpoints[0].min_child_endpoints_ipv6 = 1;
  HealthTable health(5);
  NestedHealth nested(model);
  nested.refresh_all(health);
  set(nested, health, 2, MonitorStatus::online);
  set(nested, health, 3, MonitorStatus::online);
  set(nested, health, 4, MonitorStatus::degraded);
  CHECK(status(health, 0) == MonitorStatus::degraded);  // no IPv6 endpoint Online
  model.profiles[1].endpoints[2].always_serve = true;
  nested.refresh_all(health);
  CHECK(status(health, 0) == MonitorStatus::online);
  model.profiles[1].enabled = false;
  const auto changes = nested.refresh_all(health);
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
  NestedHealth nested(model);
  nested.refresh_all(health);
  health.store_probed(1, MonitorStatus::degraded, Reason::timeout, 0);  // the standby: down
  nested.on_change(1, health);
  for (EndpointId id : {2u, 3u, 4u}) set(nested, health, id, MonitorStatus::online);
  CHECK(status(health, 0) == MonitorStatus::online);
  CHECK(status(health, 5) == MonitorStatus::online);
  for (EndpointId id : {2u, 3u, 4u}) set(nested, health, id, MonitorStatus::degraded);
  CHECK(status(health, 0) == MonitorStatus::degraded);
  CHECK(status(health, 5) == MonitorStatus::degraded);
}
