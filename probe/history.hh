// ProbeHistory: what the operator sees of each endpoint's probing (last probe time, last failure,
// consecutive failures, the last N results) plus the Tracker memory a reload carries over.
// Written by the probe threads after every verdict, read by the admin API; one mutex, never
// touched by the query path (which reads only the HealthTable).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "probe/tracker.hh"
#include "probe/verdict.hh"
#include "routing/model.hh"

namespace probe {

struct ProbeResult {
  std::chrono::system_clock::time_point at{};
  bool ok = false;
  std::uint16_t rtt_ms = 0;
  routing::Reason reason = routing::Reason::none;
  std::uint16_t http_status = 0;
};

struct EndpointRecord {
  bool probed = false;  // false until the first verdict
  std::chrono::system_clock::time_point last_probe{};
  std::string last_failure;  // Verdict::detail of the last failure; never holds header values
  std::chrono::system_clock::time_point last_failure_at{};
  TrackerMemory tracker;
  std::vector<ProbeResult> recent;  // oldest first, at most capacity() long
};

class ProbeHistory {
 public:
  ProbeHistory(std::size_t endpoints, std::size_t capacity);

  std::size_t size() const noexcept { return records_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }

  // Probe thread: one verdict for endpoint `id`, and the tracker's memory after it.
  void record(routing::EndpointId id, const Verdict& verdict, const TrackerMemory& tracker,
              std::chrono::system_clock::time_point at);
  // A copy, taken under the lock.
  EndpointRecord get(routing::EndpointId id) const;
  // Reload and state-file restore: installs a record wholesale (trimmed to capacity()).
  void put(routing::EndpointId id, EndpointRecord record);

 private:
  struct Slot {
    EndpointRecord record;
    std::size_t next = 0;  // ring position in record.recent once it is full
  };
  mutable std::mutex mutex_;
  std::vector<Slot> records_;
  std::size_t capacity_;
};

}  // namespace probe
