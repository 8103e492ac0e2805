// HealthWriter: probe verdicts and manual overrides reach the words by one route, and the nested
// endpoints above follow both (Traffic Manager: a child endpoint disabled by hand is not
// available, so a child with none left degrades its nested endpoint and the parent fails over).
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "routing/health_writer.hh"
#include "routing/pick.hh"

using namespace routing;

namespace {

// Profile 0 (parent, priority): endpoint 0 nests profile 1, endpoint 1 (id 1) is an IP standby.
// Profile 1 (child): two IP endpoints, ids 2 and 3. Profile 2 (top) nests profile 0 as id 4.
Model nested_model() {
  Model model;
  Profile parent;
  parent.name = "parent.example.";
  Endpoint nested;
  nested.name = "child";
  nested.kind = TargetKind::profile;
  nested.child = 1;
  nested.priority = 1;
  nested.health_id = 0;
  Endpoint standby;
  standby.name = "standby";
  standby.kind = TargetKind::ipv4;
  standby.priority = 2;
  standby.health_id = 1;
  parent.endpoints = {nested, standby};
  Profile child;
  child.name = "child.example.";
  for (EndpointId id = 2; id <= 3; ++id) {
    Endpoint e;
    e.name = "c" + std::to_string(id);
    e.kind = TargetKind::ipv4;
    e.health_id = id;
    child.endpoints.push_back(e);
  }
  Profile top;
  top.name = "top.example.";
  Endpoint mid;
  mid.name = "parent";
  mid.kind = TargetKind::profile;
  mid.child = 0;
  mid.health_id = 4;
  top.endpoints = {mid};
  model.profiles = {parent, child, top};
  model.endpoint_count = 5;
  return model;
}

MonitorStatus status(const HealthWriter& writer, EndpointId id) {
  return writer.table().load(id).status;
}

// Every probed endpoint Online: the nested endpoints above derive Online.
void all_online(HealthWriter& writer) {
  for (EndpointId id : {1u, 2u, 3u}) writer.probed(id, MonitorStatus::online, Reason::none, 3);
}

std::uint16_t first_pick(const Model& model, const HealthWriter& writer) {
  return pick(model.profiles[0], writer.table(), {}).endpoints[0];
}

}  // namespace

TEST_CASE(
    "writer: disabling every child endpoint by hand degrades the nested one; enable restores") {
  const Model model = nested_model();
  HealthTable health(model.endpoint_count);
  HealthWriter writer(model, health);
  writer.refresh_all();
  all_online(writer);
  REQUIRE(status(writer, 0) == MonitorStatus::online);
  CHECK(first_pick(model, writer) == 0);

  CHECK(writer.set_admin_disabled(2, true).empty());  // one child endpoint left: still enough
  CHECK(status(writer, 0) == MonitorStatus::online);
  const auto down = writer.set_admin_disabled(3, true);
  REQUIRE(down.size() == 1);  // the top stays Online: it still sees the parent's standby
  CHECK(down[0].endpoint == "child");
  CHECK(down[0].profile == "parent.example.");
  CHECK(down[0].old_status == MonitorStatus::online);
  CHECK(down[0].new_status == MonitorStatus::degraded);
  CHECK(status(writer, 0) == MonitorStatus::degraded);
  CHECK(first_pick(model, writer) == 1);                  // the parent fails over to its standby
  CHECK(health.load(2).status == MonitorStatus::online);  // probing state kept apart

  const auto up = writer.set_admin_disabled(3, false);
  REQUIRE(up.size() == 1);
  CHECK(up[0].new_status == MonitorStatus::online);
  CHECK(first_pick(model, writer) == 0);  // and fails back
}

TEST_CASE("writer: an override two levels down reaches the top at once") {
  const Model model = nested_model();
  HealthTable health(model.endpoint_count);
  HealthWriter writer(model, health);
  all_online(writer);
  writer.refresh_all();
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);  // the standby: down
  REQUIRE(status(writer, 4) == MonitorStatus::online);
  const HealthWriter::AdminBit both[] = {{2, true}, {3, true}};
  const auto down = writer.set_admin_disabled(both);
  REQUIRE(down.size() == 2);  // the nested endpoint, then the one above it
  CHECK(down[1].endpoint == "parent");
  CHECK(down[1].profile == "top.example.");
  CHECK(status(writer, 4) == MonitorStatus::degraded);
  const HealthWriter::AdminBit back[] = {{2, false}, {3, false}};
  CHECK(writer.set_admin_disabled(back).size() == 2);
  CHECK(status(writer, 4) == MonitorStatus::online);
}

TEST_CASE("writer: a batch of overrides is derived once, so no half-applied state is reported") {
  const Model model = nested_model();
  HealthTable health(model.endpoint_count);
  HealthWriter writer(model, health);
  writer.probed(1, MonitorStatus::online, Reason::none, 3);  // the standby keeps the top Online
  writer.probed(2, MonitorStatus::online, Reason::none, 3);  // c3 stays CheckingEndpoint
  REQUIRE(status(writer, 0) == MonitorStatus::online);
  // One at a time would pass through CheckingEndpoint (c3 alone) on the way to Degraded.
  const HealthWriter::AdminBit both[] = {{2, true}, {3, true}};
  const auto changes = writer.set_admin_disabled(both);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].old_status == MonitorStatus::online);
  CHECK(changes[0].new_status == MonitorStatus::degraded);
  CHECK(writer.set_admin_disabled(both).empty());  // bits already set: nothing moves
}

TEST_CASE("writer: a probe saying Online does not bring back a child endpoint disabled by hand") {
  const Model model = nested_model();
  HealthTable health(model.endpoint_count);
  HealthWriter writer(model, health);
  writer.set_admin_disabled(2, true);
  CHECK(status(writer, 0) == MonitorStatus::checking_endpoint);  // c3 CheckingEndpoint counts
  writer.set_admin_disabled(3, true);
  CHECK(status(writer, 0) == MonitorStatus::degraded);  // off by hand: counts as neither
  CHECK(writer.probed(2, MonitorStatus::online, Reason::none, 3).empty());  // probing goes on
  CHECK(writer.probed(3, MonitorStatus::online, Reason::none, 3).empty());
  CHECK(status(writer, 0) == MonitorStatus::degraded);
  writer.set_admin_disabled(2, false);
  CHECK(status(writer, 0) == MonitorStatus::online);
}

TEST_CASE("writer: an override on the nested endpoint itself switches it off, derivation goes on") {
  const Model model = nested_model();
  HealthTable health(model.endpoint_count);
  HealthWriter writer(model, health);
  all_online(writer);
  writer.refresh_all();
  CHECK(writer.set_admin_disabled(0, true).empty());  // the top still sees the standby Online
  CHECK(first_pick(model, writer) == 1);
  CHECK(health.load(0).admin_disabled);
  CHECK(status(writer, 0) == MonitorStatus::online);  // still derived underneath
  writer.probed(2, MonitorStatus::degraded, Reason::timeout, 0);
  writer.probed(3, MonitorStatus::degraded, Reason::timeout, 0);
  CHECK(status(writer, 0) == MonitorStatus::degraded);
  CHECK(health.load(0).admin_disabled);  // the derived store keeps the admin bit
  writer.set_admin_disabled(0, false);
  CHECK_FALSE(health.load(0).admin_disabled);
  CHECK(first_pick(model, writer) == 1);  // Degraded now, by its child
}

TEST_CASE("writer: restored words are derived again by refresh_all, whatever order they came in") {
  const Model model = nested_model();
  HealthTable health(model.endpoint_count);
  HealthWriter writer(model, health);
  writer.restore(1, MonitorStatus::degraded, Reason::timeout, 0);
  writer.restore(2, MonitorStatus::degraded, Reason::timeout, 0);
  writer.restore(3, MonitorStatus::degraded, Reason::timeout, 0);
  writer.restore(0, MonitorStatus::online, Reason::none, 0);  // saved before the children fell
  writer.restore(4, MonitorStatus::online, Reason::none, 0);
  CHECK(status(writer, 0) == MonitorStatus::online);  // a batch: not derived yet
  const auto changes = writer.refresh_all();
  CHECK(changes.size() == 2);
  CHECK(status(writer, 0) == MonitorStatus::degraded);
  CHECK(status(writer, 4) == MonitorStatus::degraded);
}

TEST_CASE("writer: probe threads and the admin thread at once leave the derived state true") {
  const Model model = nested_model();
  HealthTable health(model.endpoint_count);
  HealthWriter writer(model, health);
  writer.refresh_all();
  NestedHealth rules(model);
  for (int round = 0; round < 20; ++round) {
    std::atomic<bool> go{false};
    std::thread probe([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < 2000; ++i)
        writer.probed(2 + (i & 1), i % 3 ? MonitorStatus::online : MonitorStatus::degraded,
                      Reason::none, 1);
    });
    std::thread admin([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < 2000; ++i) writer.set_admin_disabled(2 + (i % 2), (i / 2) % 2 == 0);
    });
    go.store(true);
    probe.join();
    admin.join();
    CAPTURE(round);
    // Whatever the interleaving, the last derivation saw every write before it.
    CHECK(status(writer, 0) == rules.derive(model.profiles[0].endpoints[0], health));
    CHECK(status(writer, 4) == rules.derive(model.profiles[2].endpoints[0], health));
  }
}

TEST_CASE(
    "fleet mode: a decided status stands in for the probed one, which stays as the local vote") {
  HealthTable table(2);
  HealthWriter writer(table);
  std::vector<std::pair<EndpointId, MonitorStatus>> heard;
  writer.set_local_listener([&](EndpointId id, Health h) { heard.emplace_back(id, h.status); });
  writer.probed(0, MonitorStatus::online, Reason::none, 5);
  CHECK(table.load(0).status == MonitorStatus::online);
  REQUIRE(heard.size() == 1);
  // The fleet says Online while this vantage sees the endpoint fail: the word keeps Online.
  writer.decided(0, MonitorStatus::online, Reason::none);
  writer.probed(0, MonitorStatus::degraded, Reason::status, 0);
  CHECK(table.load(0).status == MonitorStatus::online);
  CHECK(writer.local(0).status == MonitorStatus::degraded);
  CHECK(heard.size() == 2);
  // The same verdict again is no change: the listener hears moves only.
  writer.probed(0, MonitorStatus::degraded, Reason::status, 0);
  CHECK(heard.size() == 2);
  // The fleet decides Degraded; then back to the local verdict (etcd out of reach).
  writer.decided(0, MonitorStatus::degraded, Reason::status);
  CHECK(table.load(0).status == MonitorStatus::degraded);
  writer.probed(0, MonitorStatus::online, Reason::none, 3);
  CHECK(table.load(0).status == MonitorStatus::degraded);
  writer.decided(0, std::nullopt, Reason::none);
  CHECK(table.load(0).status == MonitorStatus::online);
  CHECK(table.load(0).rtt_ms == 3);
}

TEST_CASE("fleet mode: the admin bit stays apart from the decided status") {
  HealthTable table(1);
  HealthWriter writer(table);
  writer.set_local_listener([](EndpointId, Health) {});
  writer.set_admin_disabled(0, true);
  writer.decided(0, MonitorStatus::online, Reason::none);
  CHECK(table.load(0).admin_disabled);
  CHECK(table.load(0).status == MonitorStatus::online);
}

TEST_CASE("fleet mode: a decision moves the nested endpoints above, as a probe would") {
  const Model model = nested_model();
  HealthTable table(model.endpoint_count);
  HealthWriter writer(model, table);
  writer.set_local_listener([](EndpointId, Health) {});
  for (EndpointId id = 1; id <= 3; ++id) writer.probed(id, MonitorStatus::online, Reason::none, 1);
  writer.refresh_all();
  REQUIRE(table.load(0).status == MonitorStatus::online);
  writer.decided(2, MonitorStatus::degraded, Reason::status);
  writer.decided(3, MonitorStatus::degraded, Reason::status);
  CHECK(table.load(0).status == MonitorStatus::degraded);
  writer.decided(3, std::nullopt, Reason::none);
  CHECK(table.load(0).status == MonitorStatus::online);
}
