// Probe counters: results by outcome, a latency histogram and state transitions, fed by every
// probe thread (relaxed atomic adds: a few thousand probes a second at most) and read by the
// metrics renderer from any thread. Outlives the Prober, so a restarted Prober keeps counting.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "routing/health_table.hh"

namespace probe {

// Outcome labels: "ok", then one per failure Reason (Reason::none on a failure counts as "other").
inline constexpr std::array<std::string_view, 8> k_outcome_names{
    "ok", "timeout", "refused", "tls", "dns", "status", "body", "other"};
// Upper bounds of the latency buckets, in seconds; one more bucket (+Inf) holds the rest.
inline constexpr std::array<double, 11> k_latency_bounds_s{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1.0,  2.5,   5.0,  10.0};
inline constexpr std::size_t k_states = 3;  // MonitorStatus values

struct ProbeTotals {
  std::array<std::uint64_t, k_outcome_names.size()> results{};
  // Per bucket, NOT cumulative: buckets[i] counts latencies in (bound[i-1], bound[i]].
  std::array<std::uint64_t, k_latency_bounds_s.size() + 1> latency_buckets{};
  std::uint64_t latency_count = 0;
  std::chrono::microseconds latency_sum{0};
  std::array<std::array<std::uint64_t, k_states>, k_states> transitions{};  // [from][to]
};

std::size_t outcome_slot(bool ok, routing::Reason reason) noexcept;
std::size_t latency_bucket(std::chrono::microseconds latency) noexcept;

class ProbeCounters {
 public:
  // One finished probe: its outcome and how long it took (start to verdict).
  void record_result(bool ok, routing::Reason reason, std::chrono::microseconds latency) noexcept;
  void record_transition(routing::MonitorStatus from, routing::MonitorStatus to) noexcept;
  ProbeTotals totals() const noexcept;

 private:
  using Counter = std::atomic<std::uint64_t>;
  std::array<Counter, k_outcome_names.size()> results_{};
  std::array<Counter, k_latency_bounds_s.size() + 1> buckets_{};
  Counter latency_count_{0};
  Counter latency_sum_us_{0};
  std::array<std::array<Counter, k_states>, k_states> transitions_{};
};

}  // namespace probe
