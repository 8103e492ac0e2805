// ProbeHistory: a fixed ring of results per endpoint under one mutex (see history.hh).
#include "probe/history.hh"

#include <algorithm>

namespace probe {

ProbeHistory::ProbeHistory(std::size_t endpoints, std::size_t capacity)
    : records_(endpoints), capacity_(std::max<std::size_t>(capacity, 1)) {}

void ProbeHistory::record(routing::EndpointId id, const Verdict& verdict,
                          const TrackerMemory& tracker, std::chrono::system_clock::time_point at) {
  if (id >= records_.size()) return;
  const ProbeResult result{
      at, verdict.ok,
      static_cast<std::uint16_t>(std::clamp<long long>(verdict.rtt.count(), 0, 65535)),
      verdict.reason, verdict.http_status};
  const std::lock_guard lock(mutex_);
  Slot& slot = records_[id];
  EndpointRecord& r = slot.record;
  r.probed = true;
  r.last_probe = at;
  r.tracker = tracker;
  if (!verdict.ok) {
    r.last_failure = verdict.detail;
    r.last_failure_at = at;
  }
  if (r.recent.size() < capacity_) {
    r.recent.push_back(result);
  } else {
    r.recent[slot.next] = result;
    slot.next = (slot.next + 1) % capacity_;
  }
}

void ProbeHistory::changed(routing::EndpointId id, StatusChange change) {
  if (id >= records_.size()) return;
  const std::lock_guard lock(mutex_);
  EndpointRecord& r = records_[id].record;
  r.since = change.at;
  if (r.changes.size() >= k_max_status_changes) r.changes.erase(r.changes.begin());
  r.changes.push_back(std::move(change));
}

EndpointRecord ProbeHistory::get(routing::EndpointId id) const {
  if (id >= records_.size()) return {};
  const std::lock_guard lock(mutex_);
  const Slot& slot = records_[id];
  EndpointRecord out = slot.record;
  // Unroll the ring so callers see the results oldest first.
  std::rotate(out.recent.begin(), out.recent.begin() + static_cast<std::ptrdiff_t>(slot.next),
              out.recent.end());
  return out;
}

void ProbeHistory::put(routing::EndpointId id, EndpointRecord record) {
  if (id >= records_.size()) return;
  if (record.recent.size() > capacity_)
    record.recent.erase(record.recent.begin(),
                        record.recent.end() - static_cast<std::ptrdiff_t>(capacity_));
  if (record.changes.size() > k_max_status_changes)
    record.changes.erase(record.changes.begin(),
                         record.changes.end() - static_cast<std::ptrdiff_t>(k_max_status_changes));
  const std::lock_guard lock(mutex_);
  records_[id] = Slot{std::move(record), 0};
}

}  // namespace probe
