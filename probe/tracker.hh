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
