// The zone's name index (built once, probed per query) and the set of served zones.
// Building lives in builder.cc, the lookup in zone_lookup.cc (its result type in lookup.hh), glue
// in glue.cc.
#include "dnsd/zone/zone.hh"

namespace dnsd::zone {

void Zone::build_index() {
  index_.build(static_cast<std::uint32_t>(nodes_.size()),
               [&](std::uint32_t i) { return nodes_[i].owner.wire(); });
}

const Node* Zone::find(std::span<const std::uint8_t> lowercased_owner) const noexcept {
  const std::uint32_t at =
      index_.find(lowercased_owner, [&](std::uint32_t i) { return nodes_[i].owner.wire(); });
  return at == wire::NameIndex::npos ? nullptr : &nodes_[at];
}

void ZoneSet::add(std::unique_ptr<Zone> zone) {
  zone->set_index_ = zones_.size();
  zones_.push_back(std::move(zone));
}

const Zone* ZoneSet::find_enclosing(const wire::Name& lowercased_qname) const noexcept {
  const Zone* best = nullptr;
  for (const auto& zone : zones_)
    if (lowercased_qname.is_subdomain_of(zone->origin()) &&
        (!best || zone->origin().size() > best->origin().size()))
      best = zone.get();
  return best;
}

}  // namespace dnsd::zone
