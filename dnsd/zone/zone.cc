// The zone's name index (built once, probed per query) and the set of served zones.
// Building lives in builder.cc, the lookup in lookup.cc, glue in glue.cc.
#include "dnsd/zone/zone.hh"

#include <cstring>

namespace dnsd::zone {
namespace {

std::uint64_t hash_name(std::span<const std::uint8_t> name) noexcept {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (auto byte : name) hash = (hash ^ byte) * 1099511628211ull;
  return hash;
}

}  // namespace

void Zone::build_index() {
  std::size_t capacity = 16;
  while (capacity < nodes_.size() * 2) capacity *= 2;
  index_.assign(capacity, 0);
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    std::size_t slot = hash_name(nodes_[i].owner.wire()) & (capacity - 1);
    while (index_[slot] != 0) slot = (slot + 1) & (capacity - 1);
    index_[slot] = i + 1;
  }
}

const Node* Zone::find(std::span<const std::uint8_t> lowercased_owner) const noexcept {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t slot = hash_name(lowercased_owner) & mask;; slot = (slot + 1) & mask) {
    const std::uint32_t entry = index_[slot];
    if (entry == 0) return nullptr;
    const auto owner = nodes_[entry - 1].owner.wire();
    if (owner.size() == lowercased_owner.size() &&
        std::memcmp(owner.data(), lowercased_owner.data(), owner.size()) == 0)
      return &nodes_[entry - 1];
  }
}

void ZoneSet::add(std::unique_ptr<Zone> zone) { zones_.push_back(std::move(zone)); }

const Zone* ZoneSet::find_enclosing(const wire::Name& lowercased_qname) const noexcept {
  const Zone* best = nullptr;
  for (const auto& zone : zones_)
    if (lowercased_qname.is_subdomain_of(zone->origin()) &&
        (!best || zone->origin().size() > best->origin().size()))
      best = zone.get();
  return best;
}

}  // namespace dnsd::zone
