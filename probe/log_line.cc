// Transition log lines. Reasons come from Verdict::detail, which never holds header values.
#include "probe/log_line.hh"

#include <fmt/format.h>

namespace probe {

std::string transition_line(const Subscriber& who, const Transition& change,
                            const Verdict& verdict) {
  const auto head = fmt::format("probe: profile={} endpoint={} {} -> {}", who.profile, who.endpoint,
                                routing::to_string(change.from), routing::to_string(change.to));
  if (verdict.ok) return fmt::format("{} rtt={}ms", head, verdict.rtt.count());
  return fmt::format("{} reason=\"{}\"", head, verdict.detail);
}

std::string nested_line(const routing::NestedHealth::Change& change) {
  const auto head =
      fmt::format("probe: profile={} endpoint={} {} -> {}", change.profile, change.endpoint,
                  routing::to_string(change.old_status), routing::to_string(change.new_status));
  if (change.new_status == routing::MonitorStatus::degraded)
    return fmt::format("{} reason=\"too few child endpoints Online\"", head);
  if (change.new_status == routing::MonitorStatus::stopped)
    return fmt::format("{} reason=\"child profile disabled\"", head);
  return head;
}

}  // namespace probe
