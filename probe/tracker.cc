// Tracker: the hysteresis rule, in one place (see tracker.hh for the table of rules).
#include "probe/tracker.hh"

#include <algorithm>

namespace probe {

using routing::MonitorStatus;

Tracker::Tracker(std::uint8_t tolerated_failures, std::uint8_t successes_to_recover) noexcept
    : failures_to_degrade_(std::uint32_t{tolerated_failures} + 1),
      successes_to_recover_(std::max<std::uint32_t>(successes_to_recover, 1)) {}

std::optional<Transition> Tracker::apply(const Verdict& verdict) noexcept {
  const MonitorStatus before = status_;
  if (verdict.ok) {
    failure_run_ = 0;
    ++success_run_;
    last_rtt_ms_ = static_cast<std::uint16_t>(std::clamp<long long>(verdict.rtt.count(), 0, 65535));
    // Only a Degraded endpoint has to prove itself; the first success ends the initial check.
    if (status_ == MonitorStatus::checking_endpoint ||
        (status_ == MonitorStatus::degraded && success_run_ >= successes_to_recover_))
      status_ = MonitorStatus::online;
  } else {
    success_run_ = 0;
    ++failure_run_;
    last_reason_ = verdict.reason;
    if (status_ != MonitorStatus::degraded && failure_run_ >= failures_to_degrade_)
      status_ = MonitorStatus::degraded;
  }
  if (status_ == before) return std::nullopt;
  return Transition{before, status_};
}

routing::Health Tracker::health() const noexcept {
  routing::Health h;
  h.status = status_;
  h.reason = last_reason_;
  h.rtt_ms = last_rtt_ms_;
  return h;
}

}  // namespace probe
