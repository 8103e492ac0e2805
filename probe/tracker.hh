// Tracker: turns a stream of verdicts into Traffic Manager monitor states (hysteresis).
// The ONLY place that reads tolerated_failures and successes_to_recover. Pure: no clock, no I/O.
//
// Rules (Traffic Manager's, with the initial check decided explicitly):
//   CheckingEndpoint --success--> Online
//   CheckingEndpoint --(tolerated_failures + 1) consecutive failures--> Degraded
//       The initial check uses the same failure threshold as later checks, as Traffic Manager
//       does; fewer failures keep the endpoint CheckingEndpoint (served, unless the profile says
//       to wait for the first verdict).
//   Online --(tolerated_failures + 1) consecutive failures--> Degraded
//   Degraded --successes_to_recover consecutive successes--> Online (0 counts as 1)
// The reason and RTT kept are those of the last failure and the last success.
#pragma once

#include <cstdint>
#include <optional>

#include "probe/verdict.hh"
#include "routing/health_table.hh"

namespace probe {

// Everything a Tracker remembers, so a reload (or a restart from the state file) can hand an
// unchanged endpoint's hysteresis over to the next Tracker instead of starting it afresh.
struct TrackerMemory {
  routing::MonitorStatus status = routing::MonitorStatus::checking_endpoint;
  std::uint32_t failure_run = 0;
  std::uint32_t success_run = 0;
  routing::Reason last_reason = routing::Reason::none;
  std::uint16_t last_rtt_ms = 0;
  friend bool operator==(const TrackerMemory&, const TrackerMemory&) = default;
};

struct Transition {
  routing::MonitorStatus from;
  routing::MonitorStatus to;
  friend bool operator==(const Transition&, const Transition&) = default;
};

class Tracker {
 public:
  Tracker(std::uint8_t tolerated_failures, std::uint8_t successes_to_recover) noexcept;

  // Feeds one verdict; returns the state change it caused, if any.
  std::optional<Transition> apply(const Verdict& verdict) noexcept;

  routing::MonitorStatus status() const noexcept { return status_; }
  TrackerMemory memory() const noexcept {
    return {status_, failure_run_, success_run_, last_reason_, last_rtt_ms_};
  }
  void restore(const TrackerMemory& m) noexcept {
    status_ = m.status;
    failure_run_ = m.failure_run;
    success_run_ = m.success_run;
    last_reason_ = m.last_reason;
    last_rtt_ms_ = m.last_rtt_ms;
  }
  // The word to store for every endpoint fed by this tracker (admin bit left to the table).
  routing::Health health() const noexcept;

 private:
  std::uint32_t failures_to_degrade_;
  std::uint32_t successes_to_recover_;
  routing::MonitorStatus status_ = routing::MonitorStatus::checking_endpoint;
  std::uint32_t failure_run_ = 0;
  std::uint32_t success_run_ = 0;
  routing::Reason last_reason_ = routing::Reason::none;
  std::uint16_t last_rtt_ms_ = 0;
};

}  // namespace probe
