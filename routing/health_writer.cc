// HealthWriter: every write to the health words, and the derived states that follow it (see
// health_writer.hh).
#include "routing/health_writer.hh"

namespace routing {

HealthWriter::HealthWriter(const Model& model, HealthTable& health)
    : health_(health), nested_(model) {}

namespace {
const Model k_no_nesting;
}  // namespace

HealthWriter::HealthWriter(HealthTable& health) : HealthWriter(k_no_nesting, health) {}

std::vector<HealthWriter::Change> HealthWriter::probed(EndpointId id, MonitorStatus status,
                                                       Reason reason, std::uint16_t rtt_ms) {
  std::vector<Change> changes;
  if (id >= health_.size()) return changes;
  const Health old = local_ ? store_effective(id, Health{status, false, reason, rtt_ms})
                            : health_.store_probed(id, status, reason, rtt_ms);
  if (local_) status = health_.load(id).status;
  // RTT and reason never change a derived state; only the status does.
  if (old.status == status || nested_.parents_of_endpoint(id).empty()) return changes;
  std::lock_guard lock(mutex_);
  recompute_above(id, changes);
  return changes;
}

std::vector<HealthWriter::Change> HealthWriter::set_admin_disabled(std::span<const AdminBit> bits) {
  std::vector<Change> changes;
  std::lock_guard lock(mutex_);
  std::vector<EndpointId> moved;
  for (const AdminBit& bit : bits) {
    if (bit.id >= health_.size()) continue;
    if (health_.set_admin_disabled(bit.id, bit.disabled) != bit.disabled &&
        !nested_.parents_of_endpoint(bit.id).empty())
      moved.push_back(bit.id);
  }
  for (const EndpointId id : moved) recompute_above(id, changes);
  return changes;
}

void HealthWriter::restore(EndpointId id, MonitorStatus status, Reason reason,
                           std::uint16_t rtt_ms) noexcept {
  if (id >= health_.size()) return;
  if (local_)
    local_[id].store(Health{status, false, reason, rtt_ms}.pack(), std::memory_order_relaxed);
  health_.store_probed(id, status, reason, rtt_ms);
}

void HealthWriter::set_local_listener(LocalListener listener) {
  const std::size_t n = health_.size() ? health_.size() : 1;
  local_ = std::make_unique<std::atomic<std::uint32_t>[]>(n);
  decided_ = std::make_unique<std::atomic<std::uint32_t>[]>(n);
  for (std::size_t i = 0; i < health_.size(); ++i) {
    Health word = health_.load(static_cast<EndpointId>(i));
    word.admin_disabled = false;
    local_[i].store(word.pack(), std::memory_order_relaxed);
    decided_[i].store(0, std::memory_order_relaxed);
  }
  listener_ = std::move(listener);
}

Health HealthWriter::local(EndpointId id) const noexcept {
  if (id >= health_.size()) return {};
  return local_ ? Health::unpack(local_[id].load(std::memory_order_acquire)) : health_.load(id);
}

// The old word is returned so probed() can tell whether the status the query path reads moved.
// The listener is called after the lock: it may decide (decided() takes the lock again).
Health HealthWriter::store_effective(EndpointId id, Health probed) {
  Health before, old;
  {
    std::lock_guard lock(fleet_mutex_);
    before = Health::unpack(local_[id].exchange(probed.pack(), std::memory_order_acq_rel));
    const std::uint32_t decision = decided_[id].load(std::memory_order_acquire);
    Health word = probed;
    if (decision) {
      word.status = static_cast<MonitorStatus>(decision & 0xf);
      word.reason = static_cast<Reason>((decision >> 8) & 0xff);
    }
    old = health_.store_probed(id, word.status, word.reason, word.rtt_ms);
  }
  if (before.status != probed.status && listener_) listener_(id, probed);
  return old;
}

std::vector<HealthWriter::Change> HealthWriter::decided(EndpointId id,
                                                        std::optional<MonitorStatus> status,
                                                        Reason reason) {
  std::vector<Change> changes;
  if (!local_ || id >= health_.size()) return changes;
  Health old;
  MonitorStatus next;
  {
    std::lock_guard lock(fleet_mutex_);
    decided_[id].store(status ? (0x80000000u | static_cast<std::uint32_t>(*status) |
                                 (static_cast<std::uint32_t>(reason) << 8))
                              : 0u,
                       std::memory_order_release);
    const Health probed = Health::unpack(local_[id].load(std::memory_order_acquire));
    next = status.value_or(probed.status);
    old = health_.store_probed(id, next, status ? reason : probed.reason, probed.rtt_ms);
  }
  if (old.status == next || nested_.parents_of_endpoint(id).empty()) return changes;
  std::lock_guard lock(mutex_);
  recompute_above(id, changes);
  return changes;
}

std::vector<HealthWriter::Change> HealthWriter::refresh_all() {
  std::vector<Change> changes;
  std::lock_guard lock(mutex_);
  // Children first would be ideal; repeating max_nesting times settles any order.
  for (std::size_t round = 0; round < max_nesting; ++round)
    for (const NestedHealth::Parent& parent : nested_.all()) update(parent, changes);
  return changes;
}

// Called with mutex_ held.
void HealthWriter::recompute_above(EndpointId id, std::vector<Change>& changes) {
  for (const NestedHealth::Parent& parent : nested_.parents_of_endpoint(id))
    update(parent, changes);
}

// Called with mutex_ held. The nested endpoint's own admin bit stays: an override on it still
// switches it off, whatever its child says.
void HealthWriter::update(const NestedHealth::Parent& parent, std::vector<Change>& changes) {
  const Profile& profile = nested_.model().profiles[parent.profile];
  const Endpoint& nested = profile.endpoints[parent.endpoint];
  const MonitorStatus next = nested_.derive(nested, health_);
  const Health now = health_.load(nested.health_id);
  if (now.status == next) return;
  health_.store_probed(nested.health_id, next,
                       next == MonitorStatus::degraded ? Reason::other : Reason::none, 0);
  changes.push_back(Change{nested.health_id, profile.name, nested.name, now.status, next});
  // The parent's own parents see a changed child endpoint in turn (depth <= max_nesting).
  recompute_above(nested.health_id, changes);
}

}  // namespace routing
