// Zone building (validation, empty non-terminals, zone cuts) and allocation-free lookup.
#include "dnsd/zone/zone.hh"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <string>

#include "dnsd/wire/types.hh"

namespace dnsd::zone {
namespace {

std::uint64_t hash_name(std::span<const std::uint8_t> name) noexcept {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (auto byte : name) hash = (hash ^ byte) * 1099511628211ull;
  return hash;
}

std::string key_of(const wire::Name& name) {
  const auto bytes = name.wire();
  return std::string(bytes.begin(), bytes.end());
}

bool is_address_type(std::uint16_t type) { return type == wire::rrtype::a || type == wire::rrtype::aaaa; }

}  // namespace

struct ZoneBuilder::Impl {
  wire::Name origin;
  std::map<std::string, Node> nodes;  // by lowercased wire name

  Node& node_for(const wire::Name& lowercased) {
    auto [it, inserted] = nodes.try_emplace(key_of(lowercased));
    if (inserted) it->second.owner = lowercased;
    return it->second;
  }
};

ZoneBuilder::ZoneBuilder(const wire::Name& origin) : impl_(std::make_unique<Impl>()) {
  impl_->origin = origin.lowercased();
}
ZoneBuilder::~ZoneBuilder() = default;
ZoneBuilder::ZoneBuilder(ZoneBuilder&&) noexcept = default;

const wire::Name& ZoneBuilder::origin() const noexcept { return impl_->origin; }

std::string ZoneBuilder::add_record(const wire::Name& owner, std::uint16_t type, std::uint32_t ttl,
                                    std::vector<std::uint8_t> rdata) {
  const wire::Name lowered = owner.lowercased();
  if (!lowered.is_subdomain_of(impl_->origin))
    return fmt::format("owner {} is outside the zone {}", owner.to_text(), impl_->origin.to_text());
  if (wire::is_meta_type(type))
    return fmt::format("type {} cannot be stored in a zone", wire::type_to_text(type));
  if (ttl > 0x7fffffffu) return fmt::format("TTL {} is above 2147483647 (RFC 2181 §8)", ttl);
  Node& node = impl_->node_for(lowered);
  for (auto& rrset : node.rrsets) {
    if (rrset.type != type) continue;
    // RFC 2181 §5.2: one TTL per RRset; the first record's TTL stands, as in Knot DNS.
    if (std::find(rrset.rdatas.begin(), rrset.rdatas.end(), rdata) == rrset.rdatas.end())
      rrset.rdatas.push_back(std::move(rdata));
    return {};
  }
  node.rrsets.push_back(RRset{type, ttl, {std::move(rdata)}});
  return {};
}

std::string ZoneBuilder::add_profile(const wire::Name& owner, routing::ProfileId profile) {
  const wire::Name lowered = owner.lowercased();
  if (!lowered.is_subdomain_of(impl_->origin))
    return fmt::format("profile name {} is outside the zone {}", owner.to_text(), impl_->origin.to_text());
  Node& node = impl_->node_for(lowered);
  if (node.profile) return fmt::format("{} is already a profile", owner.to_text());
  node.profile = profile;
  return {};
}

namespace {

// The RFC rules a zone must meet as a whole; each message names the owner.
void check_node(const Node& node, const wire::Name& origin, std::vector<std::string>& errors) {
  const bool apex = node.owner == origin;
  const std::string owner = node.owner.to_text();
  const RRset* cname = node.find(wire::rrtype::cname);
  if (cname && (node.rrsets.size() > 1 || node.profile))
    errors.push_back(fmt::format("{}: CNAME and other data at the same name (RFC 1034 §3.6.2)", owner));
  if (cname && cname->rdatas.size() > 1)
    errors.push_back(fmt::format("{}: more than one CNAME record (RFC 2181 §10.1)", owner));
  if (!apex && node.find(wire::rrtype::soa))
    errors.push_back(fmt::format("{}: SOA record outside the zone apex", owner));
  if (node.profile && !apex && !node.rrsets.empty())
    errors.push_back(fmt::format("{}: a profile name cannot hold other records (only the apex may)", owner));
  if (node.profile && (node.find(wire::rrtype::a) || node.find(wire::rrtype::aaaa)))
    errors.push_back(fmt::format("{}: a profile name cannot also have static A/AAAA records", owner));
  if (node.is_zone_cut && node.profile)
    errors.push_back(fmt::format("{}: a profile name cannot be a delegation", owner));
  if (node.owner.is_wildcard() && node.find(wire::rrtype::ns))
    errors.push_back(fmt::format("{}: NS records at a wildcard name (RFC 4592 §4.2)", owner));
}

}  // namespace

BuildResult ZoneBuilder::build() && {
  BuildResult result;
  auto& nodes = impl_->nodes;
  const wire::Name& origin = impl_->origin;

  // Every name between a record's owner and the apex exists, as an empty non-terminal if
  // nothing else (RFC 4592 §2.2.2): needed for NODATA versus NXDOMAIN and wildcard blocking.
  std::vector<wire::Name> owners;
  for (const auto& [key, node] : nodes) owners.push_back(node.owner);
  for (const auto& owner : owners) {
    for (wire::Name up = owner.parent(); up.is_subdomain_of(origin) && !(up == owner); up = up.parent()) {
      impl_->node_for(up);
      if (up == origin) break;
    }
  }
  impl_->node_for(origin);

  const Node& apex = nodes.at(key_of(origin));
  const RRset* soa = apex.find(wire::rrtype::soa);
  if (!soa) result.errors.push_back(fmt::format("{}: no SOA record at the zone apex", origin.to_text()));
  else if (soa->rdatas.size() != 1)
    result.errors.push_back(fmt::format("{}: more than one SOA record", origin.to_text()));
  if (!apex.find(wire::rrtype::ns))
    result.errors.push_back(fmt::format("{}: no NS records at the zone apex", origin.to_text()));

  for (auto& [key, node] : nodes) {
    node.is_zone_cut = !(node.owner == origin) && node.find(wire::rrtype::ns) != nullptr;
    if (auto wildcard = node.owner.child("*"); wildcard && nodes.count(key_of(*wildcard)))
      node.has_wildcard_child = true;
  }
  // Below a zone cut only glue (A/AAAA) may appear: the child zone owns everything else.
  for (const auto& [key, node] : nodes) {
    check_node(node, origin, result.errors);
    for (wire::Name up = node.owner.parent(); up.is_subdomain_of(origin) && !(up == origin); up = up.parent()) {
      auto it = nodes.find(key_of(up));
      if (it == nodes.end() || !it->second.is_zone_cut) continue;
      for (const auto& rrset : node.rrsets)
        if (!is_address_type(rrset.type))
          result.errors.push_back(fmt::format("{}: {} record below the zone cut {} (only glue A/AAAA allowed)",
                                              node.owner.to_text(), wire::type_to_text(rrset.type),
                                              up.to_text()));
      if (node.profile)
        result.errors.push_back(fmt::format("{}: profile below the zone cut {}", node.owner.to_text(), up.to_text()));
      break;
    }
  }
  if (!result.errors.empty()) return result;

  auto zone = std::unique_ptr<Zone>(new Zone());
  zone->origin_ = origin;
  zone->nodes_.reserve(nodes.size());
  for (auto& [key, node] : nodes) {
    // The apex first, so SOA and NS are at known positions; then any order.
    if (node.owner == origin) zone->nodes_.insert(zone->nodes_.begin(), std::move(node));
    else zone->nodes_.push_back(std::move(node));
  }
  std::size_t capacity = 16;
  while (capacity < zone->nodes_.size() * 2) capacity *= 2;
  zone->index_.assign(capacity, 0);
  for (std::uint32_t i = 0; i < zone->nodes_.size(); ++i) {
    std::size_t slot = hash_name(zone->nodes_[i].owner.wire()) & (capacity - 1);
    while (zone->index_[slot] != 0) slot = (slot + 1) & (capacity - 1);
    zone->index_[slot] = i + 1;
  }
  zone->apex_ = &zone->nodes_.front();
  result.zone = std::move(zone);
  return result;
}

const Node* Zone::find(std::span<const std::uint8_t> lowercased_owner) const noexcept {
  const std::size_t mask = index_.size() - 1;
  for (std::size_t slot = hash_name(lowercased_owner) & mask;; slot = (slot + 1) & mask) {
    const std::uint32_t entry = index_[slot];
    if (entry == 0) return nullptr;
    const auto owner = nodes_[entry - 1].owner.wire();
    if (std::equal(owner.begin(), owner.end(), lowercased_owner.begin(), lowercased_owner.end()))
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
