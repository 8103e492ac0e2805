// HealthWriter: the one writer of a HealthTable. Probe verdicts, manual overrides (admin API and
// maintenance windows), the state-file restore and a reload's carry-over all store through it,
// and it recomputes what depends on each change: the nested endpoints above, up the chain.
// Never called on the query path, which only reads the table.
//
// Threads: probe threads and the admin/timer thread may call at once. Each word is one atomic
// read-modify-write; derivations run under one mutex, each after the write that asked for it,
// so the last derivation to run has seen every write and a stale result never lands last.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/nested_health.hh"

namespace routing {

class HealthWriter {
 public:
  using Change = NestedHealth::Change;  // a nested endpoint's derived state moved
  struct AdminBit {
    EndpointId id;
    bool disabled;
  };

  // The model and the table (sized for model.endpoint_count) must outlive the writer.
  HealthWriter(const Model& model, HealthTable& health);
  // For a table behind profiles without nesting (the methods' unit tests): nothing to derive.
  explicit HealthWriter(HealthTable& health);
  HealthWriter(const HealthWriter&) = delete;
  HealthWriter& operator=(const HealthWriter&) = delete;

  const HealthTable& table() const noexcept { return health_; }
  std::size_t size() const noexcept { return health_.size(); }

  // A probe's verdict: the probed state, stored on every verdict so RTT and reason stay current
  // (the admin bit stays). When the status moved, the nested endpoints above are recomputed.
  // Returns their changes, for the log.
  std::vector<Change> probed(EndpointId id, MonitorStatus status, Reason reason,
                             std::uint16_t rtt_ms);
  // Manual overrides: sets every listed endpoint's admin bit, then recomputes above those whose
  // bit moved, once for the whole batch, so no derivation sees half of it. Returns the changes.
  std::vector<Change> set_admin_disabled(std::span<const AdminBit> bits);
  std::vector<Change> set_admin_disabled(EndpointId id, bool disabled) {
    const AdminBit bit{id, disabled};
    return set_admin_disabled(std::span(&bit, 1));
  }
  // The probed state an endpoint had before (state file, reload carry-over), admin bit kept.
  // Derived words are brought in line by refresh_all() once the batch is in (the Prober does so
  // when it is built): a batch restores children and parents in any order.
  void restore(EndpointId id, MonitorStatus status, Reason reason, std::uint16_t rtt_ms) noexcept;
  // Recomputes every nested endpoint from its child's words. Returns the changes.
  std::vector<Change> refresh_all();

  // Fleet mode (control/fleet.hh). A status the fleet decided stands in for the probed one in
  // the word the query path reads; the probed one is kept apart, as this instance's own vote.
  // The listener hears each move of an endpoint's probed status, on the probing thread (it must
  // not block); set it before probing starts. decided(id, nullopt) goes back to the probed
  // status (fleet off, or etcd out of reach). Returns the nested changes, as probed() does.
  using LocalListener = std::function<void(EndpointId, Health)>;
  void set_local_listener(LocalListener listener);
  std::vector<Change> decided(EndpointId id, std::optional<MonitorStatus> status, Reason reason);
  Health local(EndpointId id) const noexcept;  // the probed state, whatever the fleet decided

 private:
  void recompute_above(EndpointId id, std::vector<Change>& changes);
  void update(const NestedHealth::Parent& parent, std::vector<Change>& changes);

  // Stores the word from the probed state and the fleet's decision, whichever stands.
  Health store_effective(EndpointId id, Health probed);

  HealthTable& health_;
  NestedHealth nested_;
  std::mutex mutex_;  // one derivation at a time
  // Fleet mode only: local_ holds each probed word, decided_ the fleet's status (bit 31 set,
  // status in bits 0-3, reason in 8-15) or 0. fleet_mutex_ makes "read both, store the word"
  // one step, so a decision and a verdict racing cannot leave the loser's word standing.
  std::unique_ptr<std::atomic<std::uint32_t>[]> local_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> decided_;
  LocalListener listener_;
  std::mutex fleet_mutex_;
};

}  // namespace routing
