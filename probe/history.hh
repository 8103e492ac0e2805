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

// One change of an endpoint's probed monitor status, with the verdict that made it.
struct StatusChange {
  std::chrono::system_clock::time_point at{};
  routing::MonitorStatus from = routing::MonitorStatus::checking_endpoint;
  routing::MonitorStatus to = routing::MonitorStatus::checking_endpoint;
  routing::Reason reason = routing::Reason::none;  // none for a recovery
  std::string detail;                              // the failing verdict's detail, or empty
};

// How many status changes an endpoint keeps (the admin API shows them all).
inline constexpr std::size_t k_max_status_changes = 16;

struct EndpointRecord {
  bool probed = false;  // false until the first verdict
  std::chrono::system_clock::time_point last_probe{};
  std::string last_failure;  // Verdict::detail of the last failure; never holds header values
  std::chrono::system_clock::time_point last_failure_at{};
  TrackerMemory tracker;
  std::vector<ProbeResult> recent;  // oldest first, at most capacity() long
  // When the probed status last changed (zero: not since this record began) and the changes,
  // oldest first, at most k_max_status_changes.
  std::chrono::system_clock::time_point since{};
  std::vector<StatusChange> changes;
};

class ProbeHistory {
 public:
  ProbeHistory(std::size_t endpoints, std::size_t capacity);

  std::size_t size() const noexcept { return records_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }

  // Probe thread: one verdict for endpoint `id`, and the tracker's memory after it.
  void record(routing::EndpointId id, const Verdict& verdict, const TrackerMemory& tracker,
              std::chrono::system_clock::time_point at);
  // Probe thread: the verdict just recorded moved the endpoint's status.
  void changed(routing::EndpointId id, StatusChange change);
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
