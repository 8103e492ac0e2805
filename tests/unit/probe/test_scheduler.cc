// Scheduler: jitter bounds, first-probe spread, heap order. Fixed seeds, real bounds.
#include <doctest/doctest.h>

#include <set>

#include "probe/scheduler.hh"

using probe::Scheduler;
using std::chrono::milliseconds;

TEST_CASE("scheduler: jitter stays within ±10% of the interval and uses the whole band") {
  Scheduler s(42);
  const milliseconds interval(10'000);
  auto lowest = interval.count(), highest = interval.count();
  for (int i = 0; i < 10'000; ++i) {
    const auto j = s.jittered(interval).count();
    lowest = std::min(lowest, j);
    highest = std::max(highest, j);
  }
  CHECK(lowest >= 9'000);
  CHECK(highest <= 11'000);
  // With 10,000 uniform draws both ends of the band are reached to within 1%.
  CHECK(lowest < 9'020);
  CHECK(highest > 10'980);
}

TEST_CASE("scheduler: the same seed gives the same schedule") {
  Scheduler a(7), b(7);
  for (int i = 0; i < 100; ++i)
    CHECK(a.jittered(milliseconds(1000)) == b.jittered(milliseconds(1000)));
}

TEST_CASE("scheduler: first probes are spread over min(interval, 1 s)") {
  Scheduler s(1);
  const auto now = Scheduler::Clock::now();
  for (std::size_t i = 0; i < 200; ++i) s.schedule_first(i, now, milliseconds(10'000));
  for (std::size_t i = 200; i < 400; ++i) s.schedule_first(i, now, milliseconds(300));
  std::set<long long> distinct;
  for (;;) {
    const auto due = s.next_due();
    if (!due) break;
    const auto index = s.pop_due(*due);
    REQUIRE(index.has_value());
    const auto offset = std::chrono::duration_cast<milliseconds>(*due - now).count();
    CHECK(offset >= 0);
    CHECK(offset < (*index < 200 ? 1000 : 300));
    distinct.insert(offset);
  }
  CHECK(distinct.size() > 100);  // not in lockstep
}

TEST_CASE("scheduler: entries come out in due order and never early") {
  Scheduler s(3);
  const auto t0 = Scheduler::Clock::now();
  s.schedule_at(5, t0 + milliseconds(30));
  s.schedule_at(6, t0 + milliseconds(10));
  s.schedule_at(7, t0 + milliseconds(20));
  CHECK_FALSE(s.pop_due(t0 + milliseconds(9)).has_value());
  CHECK(s.next_due() == t0 + milliseconds(10));
  CHECK(s.pop_due(t0 + milliseconds(25)) == std::optional<std::size_t>(6));
  CHECK(s.pop_due(t0 + milliseconds(25)) == std::optional<std::size_t>(7));
  CHECK_FALSE(s.pop_due(t0 + milliseconds(25)).has_value());
  CHECK(s.pop_due(t0 + milliseconds(30)) == std::optional<std::size_t>(5));
  CHECK(s.size() == 0);
}

TEST_CASE("scheduler: the next run counts from when the last one started") {
  Scheduler s(9);
  const auto started = Scheduler::Clock::now();
  s.schedule_next(0, started, milliseconds(1000));
  const auto offset = std::chrono::duration_cast<milliseconds>(*s.next_due() - started).count();
  CHECK(offset >= 900);
  CHECK(offset <= 1100);
}
