// ProbeHistory: the ring of recent results, the last failure, and the Tracker memory it keeps
// for a reload to hand over.
#include <doctest/doctest.h>

#include "probe/history.hh"

using namespace probe;
using std::chrono::seconds;

namespace {

Verdict verdict(bool ok, std::uint16_t status = 200) {
  Verdict v;
  v.ok = ok;
  v.http_status = status;
  v.reason = ok ? routing::Reason::none : routing::Reason::status;
  v.rtt = std::chrono::milliseconds(ok ? 7 : 0);
  v.detail = ok ? "" : "http " + std::to_string(status);
  return v;
}

}  // namespace

TEST_CASE("history: keeps the last N results oldest first, and the last failure") {
  ProbeHistory history(2, 3);
  const auto t0 = std::chrono::system_clock::time_point{} + seconds(1000);
  CHECK_FALSE(history.get(0).probed);
  Tracker tracker(1, 1);
  for (int i = 0; i < 5; ++i) {
    const Verdict v = verdict(i != 3, i == 3 ? 503 : 200);
    tracker.apply(v);
    history.record(0, v, tracker.memory(), t0 + seconds(i));
  }
  const EndpointRecord r = history.get(0);
  CHECK(r.probed);
  REQUIRE(r.recent.size() == 3);
  CHECK(r.recent[0].at == t0 + seconds(2));
  CHECK(r.recent[1].at == t0 + seconds(3));
  CHECK_FALSE(r.recent[1].ok);
  CHECK(r.recent[1].http_status == 503);
  CHECK(r.recent[2].at == t0 + seconds(4));
  CHECK(r.last_probe == t0 + seconds(4));
  CHECK(r.last_failure == "http 503");
  CHECK(r.last_failure_at == t0 + seconds(3));
  CHECK(r.tracker.status == routing::MonitorStatus::online);
  CHECK(r.tracker.success_run == 1);
  CHECK_FALSE(history.get(1).probed);  // other endpoints untouched
}

TEST_CASE("history: put() installs a carried record, trimmed to the capacity") {
  ProbeHistory history(1, 2);
  EndpointRecord carried;
  carried.probed = true;
  for (int i = 0; i < 4; ++i)
    carried.recent.push_back(ProbeResult{{}, i % 2 == 0, static_cast<std::uint16_t>(i)});
  history.put(0, carried);
  const EndpointRecord r = history.get(0);
  REQUIRE(r.recent.size() == 2);
  CHECK(r.recent[0].rtt_ms == 2);
  CHECK(r.recent[1].rtt_ms == 3);
  history.record(0, verdict(true), {}, {});
  CHECK(history.get(0).recent.back().rtt_ms == 7);
}

TEST_CASE("tracker: restored memory continues the hysteresis where it stopped") {
  Tracker before(2, 2);
  before.apply(verdict(true));
  before.apply(verdict(false));
  before.apply(verdict(false));  // one more failure to Degraded
  Tracker after(2, 2);
  after.restore(before.memory());
  CHECK(after.memory() == before.memory());
  const auto change = after.apply(verdict(false));
  REQUIRE(change);
  CHECK(change->from == routing::MonitorStatus::online);
  CHECK(change->to == routing::MonitorStatus::degraded);
}

TEST_CASE("history: a status change sets since and joins the last 16 changes, oldest first") {
  ProbeHistory history(2, 3);
  const auto t0 = std::chrono::system_clock::time_point{} + seconds(1'000'000);
  CHECK(history.get(0).since == std::chrono::system_clock::time_point{});
  for (int i = 0; i < 20; ++i) {
    const bool to_online = i % 2 == 0;
    history.changed(
        0,
        StatusChange{t0 + seconds(i),
                     to_online ? routing::MonitorStatus::degraded : routing::MonitorStatus::online,
                     to_online ? routing::MonitorStatus::online : routing::MonitorStatus::degraded,
                     to_online ? routing::Reason::none : routing::Reason::status,
                     to_online ? "" : "http 503"});
  }
  const EndpointRecord r = history.get(0);
  REQUIRE(r.changes.size() == k_max_status_changes);
  CHECK(r.changes.front().at == t0 + seconds(4));  // the first four were dropped
  CHECK(r.changes.back().at == t0 + seconds(19));
  CHECK(r.changes.back().to == routing::MonitorStatus::degraded);
  CHECK(r.changes.back().detail == "http 503");
  CHECK(r.since == t0 + seconds(19));
  CHECK(history.get(1).changes.empty());
}

TEST_CASE("history: put() carries the changes and since over, trimmed to the last 16") {
  ProbeHistory history(1, 2);
  EndpointRecord carried;
  const auto t0 = std::chrono::system_clock::time_point{} + seconds(5);
  carried.since = t0;
  for (int i = 0; i < 20; ++i) carried.changes.push_back(StatusChange{t0 + seconds(i)});
  history.put(0, carried);
  const EndpointRecord r = history.get(0);
  CHECK(r.since == t0);
  REQUIRE(r.changes.size() == k_max_status_changes);
  CHECK(r.changes.front().at == t0 + seconds(4));
}
