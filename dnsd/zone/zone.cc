// Zone building (validation, empty non-terminals, zone cuts, flat layout) and lookup.
// The builder keeps records as small fixed entries over one byte arena, sorts them once, and
// lays the zone out in flat arrays, so that a million records load without a million maps.
#include "dnsd/zone/zone.hh"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <string_view>
#include <unordered_map>

#include "dnsd/wire/types.hh"

namespace dnsd::zone {
namespace {

using Bytes = std::span<const std::uint8_t>;

std::string_view view_of(Bytes bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string text_of(Bytes name) { return wire::Name::from_wire(name)->to_text(); }

bool is_address_type(std::uint16_t type) { return type == wire::rrtype::a || type == wire::rrtype::aaaa; }

// One added record: owner and rdata live in the builder's arena.
struct Record {
  std::uint32_t owner_at;
  std::uint32_t rdata_at;
  std::uint32_t ttl;
  std::uint32_t sequence;  // load order
  std::uint16_t type;
  std::uint16_t rdata_size;
  std::uint8_t owner_size;
};

// What the builder knows of one owner name before the layout.
struct Draft {
  Bytes owner;
  std::uint32_t first_record = 0;  // into the sorted records; rrsets follow
  std::uint32_t record_count = 0;
  std::optional<routing::ProfileId> profile;
  bool is_zone_cut = false;
  bool has_wildcard_child = false;
};

}  // namespace

struct ZoneBuilder::Impl {
  wire::Name origin;
  std::vector<std::uint8_t> arena;
  std::vector<Record> records;
  std::vector<std::pair<wire::Name, routing::ProfileId>> profiles;

  std::uint32_t store(Bytes bytes) {
    const auto at = static_cast<std::uint32_t>(arena.size());
    arena.insert(arena.end(), bytes.begin(), bytes.end());
    return at;
  }
  Bytes owner_of(const Record& r) const { return {arena.data() + r.owner_at, r.owner_size}; }
  Bytes rdata_of(const Record& r) const { return {arena.data() + r.rdata_at, r.rdata_size}; }
};

ZoneBuilder::ZoneBuilder(const wire::Name& origin) : impl_(std::make_unique<Impl>()) {
  impl_->origin = origin.lowercased();
}
ZoneBuilder::~ZoneBuilder() = default;
ZoneBuilder::ZoneBuilder(ZoneBuilder&&) noexcept = default;

const wire::Name& ZoneBuilder::origin() const noexcept { return impl_->origin; }

std::string ZoneBuilder::add_record(const wire::Name& owner, std::uint16_t type, std::uint32_t ttl,
                                    std::span<const std::uint8_t> rdata) {
  const wire::Name lowered = owner.lowercased();
  if (!lowered.is_subdomain_of(impl_->origin))
    return fmt::format("owner {} is outside the zone {}", owner.to_text(), impl_->origin.to_text());
  if (wire::is_meta_type(type))
    return fmt::format("type {} cannot be stored in a zone", wire::type_to_text(type));
  if (ttl > 0x7fffffffu) return fmt::format("TTL {} is above 2147483647 (RFC 2181 §8)", ttl);
  if (rdata.size() > 65535) return "rdata longer than 65535 bytes";
  Record record{};
  record.owner_at = impl_->store(lowered.wire());
  record.owner_size = static_cast<std::uint8_t>(lowered.size());
  record.rdata_at = impl_->store(rdata);
  record.rdata_size = static_cast<std::uint16_t>(rdata.size());
  record.ttl = ttl;
  record.type = type;
  record.sequence = static_cast<std::uint32_t>(impl_->records.size());
  impl_->records.push_back(record);
  return {};
}

std::string ZoneBuilder::add_profile(const wire::Name& owner, routing::ProfileId profile) {
  const wire::Name lowered = owner.lowercased();
  if (!lowered.is_subdomain_of(impl_->origin))
    return fmt::format("profile name {} is outside the zone {}", owner.to_text(), impl_->origin.to_text());
  for (const auto& [name, id] : impl_->profiles)
    if (name == lowered) return fmt::format("{} is already a profile", owner.to_text());
  impl_->profiles.emplace_back(lowered, profile);
  return {};
}

namespace {

// The RFC rules a node must meet; `types` are its RRset types, each message names the owner.
void check_node(const Draft& node, bool apex, const std::vector<std::uint16_t>& types,
                std::size_t cname_count, std::vector<std::string>& errors) {
  const std::string owner = text_of(node.owner);
  auto has = [&](std::uint16_t type) { return std::find(types.begin(), types.end(), type) != types.end(); };
  if (has(wire::rrtype::cname) && (types.size() > 1 || node.profile))
    errors.push_back(fmt::format("{}: CNAME and other data at the same name (RFC 1034 §3.6.2)", owner));
  if (cname_count > 1) errors.push_back(fmt::format("{}: more than one CNAME record (RFC 2181 §10.1)", owner));
  if (!apex && has(wire::rrtype::soa)) errors.push_back(fmt::format("{}: SOA record outside the zone apex", owner));
  if (node.profile && !apex && !types.empty())
    errors.push_back(fmt::format("{}: a profile name cannot hold other records (only the apex may)", owner));
  if (node.profile && (has(wire::rrtype::a) || has(wire::rrtype::aaaa)))
    errors.push_back(fmt::format("{}: a profile name cannot also have static A/AAAA records", owner));
  if (node.is_zone_cut && node.profile)
    errors.push_back(fmt::format("{}: a profile name cannot be a delegation", owner));
  if (node.owner.size() > 2 && node.owner[0] == 1 && node.owner[1] == '*' && has(wire::rrtype::ns))
    errors.push_back(fmt::format("{}: NS records at a wildcard name (RFC 4592 §4.2)", owner));
}

}  // namespace

BuildResult ZoneBuilder::build() && {
  BuildResult result;
  Impl& in = *impl_;
  const Bytes origin = in.origin.wire();
  // Profiles' owners go to the arena too, so that every name below is a view into it.
  std::vector<std::pair<Bytes, routing::ProfileId>> profiles;
  std::vector<std::uint32_t> profile_at;
  for (const auto& [name, id] : in.profiles) profile_at.push_back(in.store(name.wire()));
  for (std::size_t i = 0; i < in.profiles.size(); ++i)
    profiles.emplace_back(Bytes(in.arena.data() + profile_at[i], in.profiles[i].first.size()), in.profiles[i].second);

  // Owner, then type, then rdata: identical records become neighbours and are kept once.
  auto& records = in.records;
  std::sort(records.begin(), records.end(), [&](const Record& a, const Record& b) {
    if (const auto c = view_of(in.owner_of(a)) <=> view_of(in.owner_of(b)); c != 0) return c < 0;
    if (a.type != b.type) return a.type < b.type;
    if (const auto c = view_of(in.rdata_of(a)) <=> view_of(in.rdata_of(b)); c != 0) return c < 0;
    return a.sequence < b.sequence;
  });
  records.erase(std::unique(records.begin(), records.end(),
                            [&](const Record& a, const Record& b) {
                              return a.type == b.type && view_of(in.owner_of(a)) == view_of(in.owner_of(b)) &&
                                     view_of(in.rdata_of(a)) == view_of(in.rdata_of(b));
                            }),
                records.end());
  // Within an RRset, load order again (answers list records as the operator wrote them).
  for (std::size_t begin = 0; begin < records.size();) {
    std::size_t end = begin + 1;
    while (end < records.size() && records[end].type == records[begin].type &&
           view_of(in.owner_of(records[end])) == view_of(in.owner_of(records[begin])))
      ++end;
    std::sort(records.begin() + static_cast<std::ptrdiff_t>(begin), records.begin() + static_cast<std::ptrdiff_t>(end),
              [](const Record& a, const Record& b) { return a.sequence < b.sequence; });
    begin = end;
  }

  // Nodes: every owner, every profile name, and every name between them and the apex, as an
  // empty non-terminal if nothing else (RFC 4592 §2.2.2). Ancestors are suffixes of a name's
  // bytes, so they are views too.
  std::vector<Draft> drafts;
  std::unordered_map<std::string_view, std::uint32_t> by_name;
  by_name.reserve(records.size() + in.profiles.size() + 1);  // one rehash-free pass at 1M names
  auto node_for = [&](Bytes name) -> Draft& {
    auto [it, inserted] = by_name.try_emplace(view_of(name), static_cast<std::uint32_t>(drafts.size()));
    if (inserted) drafts.emplace_back().owner = name;
    return drafts[it->second];
  };
  node_for(origin);
  for (std::uint32_t i = 0; i < records.size();) {
    Draft& draft = node_for(in.owner_of(records[i]));
    draft.first_record = i;
    while (i < records.size() && view_of(in.owner_of(records[i])) == view_of(draft.owner)) ++i;
    draft.record_count = i - draft.first_record;
  }
  for (const auto& [name, id] : profiles) node_for(name).profile = id;
  const std::size_t named = drafts.size();
  for (std::size_t n = 0; n < named; ++n) {
    const Bytes owner = drafts[n].owner;
    for (std::size_t pos = 0; owner.size() - pos > origin.size(); pos += 1 + owner[pos]) node_for(owner.subspan(pos));
  }

  // Zone cuts, wildcards, and the per-node rules.
  auto types_of = [&](const Draft& draft, std::size_t& cname_count) {
    std::vector<std::uint16_t> types;
    cname_count = 0;
    for (std::uint32_t r = draft.first_record; r < draft.first_record + draft.record_count; ++r) {
      if (types.empty() || types.back() != records[r].type) types.push_back(records[r].type);
      if (records[r].type == wire::rrtype::cname) ++cname_count;
    }
    return types;
  };
  for (auto& draft : drafts) {
    std::size_t cnames = 0;
    const auto types = types_of(draft, cnames);
    draft.is_zone_cut = draft.owner.size() != origin.size() &&
                        std::find(types.begin(), types.end(), wire::rrtype::ns) != types.end();
    if (draft.owner.size() > 2 && draft.owner[0] == 1 && draft.owner[1] == '*')
      drafts[by_name.at(view_of(draft.owner.subspan(2)))].has_wildcard_child = true;
  }
  const Draft& apex = drafts.front();
  std::size_t apex_cnames = 0;
  const auto apex_types = types_of(apex, apex_cnames);
  std::size_t soa_count = 0;
  for (std::uint32_t r = apex.first_record; r < apex.first_record + apex.record_count; ++r)
    soa_count += records[r].type == wire::rrtype::soa;
  if (soa_count == 0) result.errors.push_back(fmt::format("{}: no SOA record at the zone apex", in.origin.to_text()));
  if (soa_count > 1) result.errors.push_back(fmt::format("{}: more than one SOA record", in.origin.to_text()));
  if (std::find(apex_types.begin(), apex_types.end(), wire::rrtype::ns) == apex_types.end())
    result.errors.push_back(fmt::format("{}: no NS records at the zone apex", in.origin.to_text()));
  for (const auto& draft : drafts) {
    std::size_t cnames = 0;
    const auto types = types_of(draft, cnames);
    check_node(draft, &draft == &apex, types, cnames, result.errors);
    // Below a zone cut only glue (A/AAAA) may appear: the child zone owns everything else.
    for (std::size_t pos = 1 + draft.owner[0]; draft.owner.size() - pos > origin.size(); pos += 1 + draft.owner[pos]) {
      const Draft& up = drafts[by_name.at(view_of(draft.owner.subspan(pos)))];
      if (!up.is_zone_cut) continue;
      for (auto type : types)
        if (!is_address_type(type))
          result.errors.push_back(fmt::format("{}: {} record below the zone cut {} (only glue A/AAAA allowed)",
                                              text_of(draft.owner), wire::type_to_text(type), text_of(up.owner)));
      if (draft.profile)
        result.errors.push_back(fmt::format("{}: profile below the zone cut {}", text_of(draft.owner), text_of(up.owner)));
      break;
    }
  }
  if (!result.errors.empty()) return result;

  // Layout: sizes first, so the arrays never move once pointers into them are taken.
  auto zone = std::unique_ptr<Zone>(new Zone());
  zone->origin_ = in.origin;
  std::size_t byte_count = 0, rrset_count = 0;
  for (const auto& draft : drafts) {
    std::size_t cnames = 0;
    byte_count += draft.owner.size();
    rrset_count += types_of(draft, cnames).size();
    for (std::uint32_t r = draft.first_record; r < draft.first_record + draft.record_count; ++r)
      byte_count += 2 + records[r].rdata_size;
  }
  zone->bytes_.reserve(byte_count);
  zone->rrsets_.reserve(rrset_count);
  zone->nodes_.reserve(drafts.size());
  auto copy = [&](Bytes bytes) {
    const std::uint8_t* at = zone->bytes_.data() + zone->bytes_.size();
    zone->bytes_.insert(zone->bytes_.end(), bytes.begin(), bytes.end());
    return at;
  };
  for (const auto& draft : drafts) {
    Node node;
    node.owner = OwnerName{copy(draft.owner), static_cast<std::uint8_t>(draft.owner.size())};
    const RRset* first_rrset = zone->rrsets_.data() + zone->rrsets_.size();
    for (std::uint32_t r = draft.first_record; r < draft.first_record + draft.record_count;) {
      const std::uint8_t* data = zone->bytes_.data() + zone->bytes_.size();
      const std::uint16_t type = records[r].type;
      const std::uint32_t ttl = records[r].ttl;  // the first record in load order
      std::uint32_t count = 0;
      for (; r < draft.first_record + draft.record_count && records[r].type == type; ++r, ++count) {
        const std::uint8_t length[2] = {static_cast<std::uint8_t>(records[r].rdata_size >> 8),
                                        static_cast<std::uint8_t>(records[r].rdata_size)};
        copy(length);
        copy(in.rdata_of(records[r]));
      }
      const auto bytes = static_cast<std::uint32_t>(zone->bytes_.data() + zone->bytes_.size() - data);
      zone->rrsets_.push_back(RRset{type, ttl, RdataList(data, bytes, count)});
    }
    node.rrsets = {first_rrset, static_cast<std::size_t>(zone->rrsets_.data() + zone->rrsets_.size() - first_rrset)};
    node.profile = draft.profile;
    node.is_zone_cut = draft.is_zone_cut;
    node.has_wildcard_child = draft.has_wildcard_child;
    zone->nodes_.push_back(node);
  }
  zone->index_.build(static_cast<std::uint32_t>(zone->nodes_.size()),
                     [&](std::uint32_t i) { return zone->nodes_[i].owner.wire(); });
  result.zone = std::move(zone);
  return result;
}

const Node* Zone::find(std::span<const std::uint8_t> lowercased_owner) const noexcept {
  const std::uint32_t at =
      index_.find(lowercased_owner, [&](std::uint32_t i) { return nodes_[i].owner.wire(); });
  return at == wire::NameIndex::npos ? nullptr : &nodes_[at];
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
