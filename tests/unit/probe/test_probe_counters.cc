// Probe counters: outcome slots, histogram buckets (upper-inclusive), transitions, threads.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "probe/probe_counters.hh"

using namespace probe;
using routing::MonitorStatus;
using routing::Reason;
using std::chrono::microseconds;

TEST_CASE("probe counters: outcomes are ok or the failure's reason") {
  CHECK(k_outcome_names[outcome_slot(true, Reason::none)] == "ok");
  CHECK(k_outcome_names[outcome_slot(false, Reason::timeout)] == "timeout");
  CHECK(k_outcome_names[outcome_slot(false, Reason::status)] == "status");
  CHECK(k_outcome_names[outcome_slot(false, Reason::none)] == "other");
  CHECK(k_outcome_names[outcome_slot(false, Reason::other)] == "other");
}

TEST_CASE("probe counters: a latency equal to a bound falls in that bound's bucket") {
  CHECK(latency_bucket(microseconds(0)) == 0);
  CHECK(latency_bucket(microseconds(5'000)) == 0);      // le="0.005"
  CHECK(latency_bucket(microseconds(5'001)) == 1);      // le="0.01"
  CHECK(latency_bucket(microseconds(1'000'000)) == 7);  // le="1"
  CHECK(latency_bucket(microseconds(10'000'000)) == 10);
  CHECK(latency_bucket(microseconds(10'000'001)) == k_latency_bounds_s.size());  // +Inf only
}

TEST_CASE("probe counters: results, latency sum and transitions add up") {
  ProbeCounters counters;
  counters.record_result(true, Reason::none, microseconds(3'000));
  counters.record_result(false, Reason::timeout, microseconds(500'000));
  counters.record_result(false, Reason::timeout, microseconds(20'000'000));
  counters.record_transition(MonitorStatus::checking_endpoint, MonitorStatus::online);
  counters.record_transition(MonitorStatus::online, MonitorStatus::degraded);
  counters.record_transition(MonitorStatus::online, MonitorStatus::degraded);
  const ProbeTotals totals = counters.totals();
  CHECK(totals.results[0] == 1);
  CHECK(totals.results[outcome_slot(false, Reason::timeout)] == 2);
  CHECK(totals.latency_count == 3);
  CHECK(totals.latency_sum == microseconds(20'503'000));
  CHECK(totals.latency_buckets[0] == 1);
  CHECK(totals.latency_buckets[6] == 1);  // le="0.5"
  CHECK(totals.latency_buckets.back() == 1);
  CHECK(totals.transitions[0][1] == 1);
  CHECK(totals.transitions[1][2] == 2);
  CHECK(totals.transitions[2][1] == 0);
}

TEST_CASE("probe counters: several probe threads count without losing any") {
  ProbeCounters counters;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50'000; ++i)
        counters.record_result(i % 2 == 0, Reason::refused, microseconds(i % 100));
    });
  for (auto& thread : threads) thread.join();
  const ProbeTotals totals = counters.totals();
  CHECK(totals.results[0] == 100'000);
  CHECK(totals.results[outcome_slot(false, Reason::refused)] == 100'000);
  CHECK(totals.latency_count == 200'000);
  CHECK(totals.latency_buckets[0] == 200'000);
}
