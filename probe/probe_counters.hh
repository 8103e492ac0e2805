// Probe counters: results by outcome, a latency histogram and state transitions, fed by every
// probe thread (relaxed atomic adds: a few thousand probes a second at most) and read by the
// metrics renderer from any thread. Outlives the Prober, so a restarted Prober keeps counting.
// Per endpoint (profile and endpoint names from the config, never client data): results,
// transitions and the times of the last probe, success and transition, under one mutex the
// probe threads and the renderer share (never the query path).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "routing/health_table.hh"
#include "routing/model.hh"

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

// One endpoint's share. Times are zero (the epoch) until the first such event.
struct EndpointTotals {
  std::array<std::uint64_t, k_outcome_names.size()> results{};
  std::array<std::array<std::uint64_t, k_states>, k_states> transitions{};  // [from][to]
  std::chrono::system_clock::time_point last_probe{}, last_success{}, last_transition{};
};

// One verdict as one endpoint sees it (a probe shared by several endpoints gives each one).
struct EndpointVerdict {
  bool ok = false;
  routing::Reason reason = routing::Reason::none;
  bool changed = false;  // the verdict moved the endpoint's monitor state from `from` to `to`
  routing::MonitorStatus from{}, to{};
  std::chrono::system_clock::time_point at{};
};

// Profile and endpoint names; std::less<> lets a lookup use string_views (no allocation).
struct EndpointKey {
  std::string profile, endpoint;
};
struct EndpointKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const noexcept {
    return std::pair<std::string_view, std::string_view>(a.profile, a.endpoint) <
           std::pair<std::string_view, std::string_view>(b.profile, b.endpoint);
  }
};
struct EndpointKeyView {
  std::string_view profile, endpoint;
};
using EndpointTotalsMap = std::map<EndpointKey, EndpointTotals, EndpointKeyLess>;

std::size_t outcome_slot(bool ok, routing::Reason reason) noexcept;
std::size_t latency_bucket(std::chrono::microseconds latency) noexcept;

class ProbeCounters {
 public:
  // One finished probe: its outcome and how long it took (start to verdict).
  void record_result(bool ok, routing::Reason reason, std::chrono::microseconds latency) noexcept;
  void record_transition(routing::MonitorStatus from, routing::MonitorStatus to) noexcept;
  ProbeTotals totals() const noexcept;

  // Probe thread, per endpoint the verdict is for (after record_result and record_transition).
  void record_endpoint(std::string_view profile, std::string_view endpoint,
                       const EndpointVerdict& verdict);
  // A copy of every endpoint's totals, taken under the lock.
  EndpointTotalsMap endpoint_totals() const;
  // A new Prober's model: endpoints no longer configured are forgotten (so a long run of
  // reloads keeps only what is configured); the others keep counting.
  void keep_only(const routing::Model& model);

 private:
  using Counter = std::atomic<std::uint64_t>;
  std::array<Counter, k_outcome_names.size()> results_{};
  std::array<Counter, k_latency_bounds_s.size() + 1> buckets_{};
  Counter latency_count_{0};
  Counter latency_sum_us_{0};
  std::array<std::array<Counter, k_states>, k_states> transitions_{};
  mutable std::mutex endpoints_mutex_;
  EndpointTotalsMap endpoints_;
};

}  // namespace probe
