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
  const Health old = health_.store_probed(id, status, reason, rtt_ms);
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
  if (id < health_.size()) health_.store_probed(id, status, reason, rtt_ms);
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
