// Zone building, one function per phase: stage the names, sort the records, make the nodes
// (with empty non-terminals), mark cuts and wildcards, check the rules, lay the zone out.
// The builder keeps records as small fixed entries over one byte arena and sorts them once,
// so that a million records load without a million maps.
#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "dnsd/wire/types.hh"
#include "dnsd/zone/soa.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::zone {
namespace {

using Bytes = std::span<const std::uint8_t>;

std::string_view view_of(Bytes bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string text_of(Bytes name) { return wire::Name::from_wire(name)->to_text(); }

bool is_address_type(std::uint16_t type) {
  return type == wire::rrtype::a || type == wire::rrtype::aaaa;
}
bool is_wildcard(Bytes owner) { return owner.size() > 2 && owner[0] == 1 && owner[1] == '*'; }

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
    return fmt::format("profile name {} is outside the zone {}", owner.to_text(),
                       impl_->origin.to_text());
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
  auto has = [&](std::uint16_t type) {
    return std::find(types.begin(), types.end(), type) != types.end();
  };
  if (has(wire::rrtype::cname) && (types.size() > 1 || node.profile))
    errors.push_back(
        fmt::format("{}: CNAME and other data at the same name (RFC 1034 §3.6.2)", owner));
  if (cname_count > 1)
    errors.push_back(fmt::format("{}: more than one CNAME record (RFC 2181 §10.1)", owner));
  if (!apex && has(wire::rrtype::soa))
    errors.push_back(fmt::format("{}: SOA record outside the zone apex", owner));
  if (node.profile && !apex && !types.empty())
    errors.push_back(
        fmt::format("{}: a profile name cannot hold other records (only the apex may)", owner));
  if (node.profile && (has(wire::rrtype::a) || has(wire::rrtype::aaaa)))
    errors.push_back(
        fmt::format("{}: a profile name cannot also have static A/AAAA records", owner));
  if (node.is_zone_cut && node.profile)
    errors.push_back(fmt::format("{}: a profile name cannot be a delegation", owner));
  if (is_wildcard(node.owner) && has(wire::rrtype::ns))
    errors.push_back(fmt::format("{}: NS records at a wildcard name (RFC 4592 §4.2)", owner));
}

}  // namespace

// One run of ZoneBuilder::build: the builder's records and what the phases learn of them.
class ZoneBuilder::Build {
 public:
  explicit Build(Impl& in) : in_(in), records_(in.records) {}

  BuildResult run() {
    BuildResult result;
    stage_profiles();
    sort_records();
    make_nodes();
    mark_cuts_and_wildcards();
    check_zone(result.errors);
    if (result.errors.empty()) result.zone = lay_out();
    return result;
  }

 private:
  Bytes origin() const { return in_.origin.wire(); }
  Bytes owner_of(const Record& r) const { return in_.owner_of(r); }

  // Profiles' owners go to the arena too, so that every name below is a view into it.
  void stage_profiles() {
    std::vector<std::uint32_t> at;
    for (const auto& [name, id] : in_.profiles) at.push_back(in_.store(name.wire()));
    for (std::size_t i = 0; i < in_.profiles.size(); ++i)
      profiles_.emplace_back(Bytes(in_.arena.data() + at[i], in_.profiles[i].first.size()),
                             in_.profiles[i].second);
  }

  // Owner, then type, then rdata: identical records become neighbours and are kept once.
  // Within an RRset, load order again (answers list records as the operator wrote them).
  void sort_records() {
    std::sort(records_.begin(), records_.end(), [&](const Record& a, const Record& b) {
      if (const auto c = view_of(owner_of(a)) <=> view_of(owner_of(b)); c != 0) return c < 0;
      if (a.type != b.type) return a.type < b.type;
      if (const auto c = view_of(in_.rdata_of(a)) <=> view_of(in_.rdata_of(b)); c != 0)
        return c < 0;
      return a.sequence < b.sequence;
    });
    auto same_rrset = [&](const Record& a, const Record& b) {
      return a.type == b.type && view_of(owner_of(a)) == view_of(owner_of(b));
    };
    records_.erase(std::unique(records_.begin(), records_.end(),
                               [&](const Record& a, const Record& b) {
                                 return same_rrset(a, b) &&
                                        view_of(in_.rdata_of(a)) == view_of(in_.rdata_of(b));
                               }),
                   records_.end());
    for (std::size_t begin = 0; begin < records_.size();) {
      std::size_t end = begin + 1;
      while (end < records_.size() && same_rrset(records_[end], records_[begin])) ++end;
      std::sort(records_.begin() + static_cast<std::ptrdiff_t>(begin),
                records_.begin() + static_cast<std::ptrdiff_t>(end),
                [](const Record& a, const Record& b) { return a.sequence < b.sequence; });
      begin = end;
    }
  }

  Draft& node_for(Bytes name) {
    auto [it, inserted] =
        by_name_.try_emplace(view_of(name), static_cast<std::uint32_t>(drafts_.size()));
    if (inserted) drafts_.emplace_back().owner = name;
    return drafts_[it->second];
  }
  const Draft& draft_named(Bytes name) const { return drafts_[by_name_.at(view_of(name))]; }

  // Nodes: every owner, every profile name, and every name between them and the apex, as an
  // empty non-terminal if nothing else (RFC 4592 §2.2.2). Ancestors are suffixes of a name's
  // bytes, so they are views too.
  void make_nodes() {
    by_name_.reserve(records_.size() + profiles_.size() + 1);  // rehash-free at 1M names
    node_for(origin());
    for (std::uint32_t i = 0; i < records_.size();) {
      Draft& draft = node_for(owner_of(records_[i]));
      draft.first_record = i;
      while (i < records_.size() && view_of(owner_of(records_[i])) == view_of(draft.owner)) ++i;
      draft.record_count = i - draft.first_record;
    }
    for (const auto& [name, id] : profiles_) node_for(name).profile = id;
    const std::size_t named = drafts_.size();
    for (std::size_t n = 0; n < named; ++n) {
      const Bytes owner = drafts_[n].owner;
      for (std::size_t pos = 0; owner.size() - pos > origin().size(); pos += 1 + owner[pos])
        node_for(owner.subspan(pos));
    }
  }

  std::vector<std::uint16_t> types_of(const Draft& draft, std::size_t& cname_count) const {
    std::vector<std::uint16_t> types;
    cname_count = 0;
    for (std::uint32_t r = draft.first_record; r < draft.first_record + draft.record_count; ++r) {
      if (types.empty() || types.back() != records_[r].type) types.push_back(records_[r].type);
      if (records_[r].type == wire::rrtype::cname) ++cname_count;
    }
    return types;
  }

  // A zone cut is a name below the apex with NS (RFC 1034 §4.2.1); "*.x" marks x.
  void mark_cuts_and_wildcards() {
    for (auto& draft : drafts_) {
      std::size_t cnames = 0;
      const auto types = types_of(draft, cnames);
      draft.is_zone_cut = draft.owner.size() != origin().size() &&
                          std::find(types.begin(), types.end(), wire::rrtype::ns) != types.end();
      if (is_wildcard(draft.owner))
        drafts_[by_name_.at(view_of(draft.owner.subspan(2)))].has_wildcard_child = true;
    }
  }

  void check_apex(std::vector<std::string>& errors) const {
    const Draft& apex = drafts_.front();
    std::size_t soa_count = 0, ns_count = 0, short_soa = 0;
    for (std::uint32_t r = apex.first_record; r < apex.first_record + apex.record_count; ++r) {
      const bool is_soa = records_[r].type == wire::rrtype::soa;
      soa_count += is_soa;
      short_soa += is_soa && records_[r].rdata_size < soa::min_rdata_size;
      ns_count += records_[r].type == wire::rrtype::ns;
    }
    const std::string name = in_.origin.to_text();
    // The config's rdata parser checks SOA rdata, but a diff may carry any bytes, and a built
    // zone reads SERIAL and MINIMUM from this record: it must hold them.
    if (short_soa) errors.push_back(fmt::format("{}: SOA rdata too short for its numbers", name));
    if (soa_count == 0) errors.push_back(fmt::format("{}: no SOA record at the zone apex", name));
    if (soa_count > 1) errors.push_back(fmt::format("{}: more than one SOA record", name));
    if (ns_count == 0) errors.push_back(fmt::format("{}: no NS records at the zone apex", name));
  }

  // Below a zone cut only glue (A/AAAA) may appear: the child zone owns everything else.
  void check_below_cut(const Draft& draft, const std::vector<std::uint16_t>& types,
                       std::vector<std::string>& errors) const {
    for (std::size_t pos = 1 + draft.owner[0]; draft.owner.size() - pos > origin().size();
         pos += 1 + draft.owner[pos]) {
      const Draft& up = draft_named(draft.owner.subspan(pos));
      if (!up.is_zone_cut) continue;
      for (auto type : types)
        if (!is_address_type(type))
          errors.push_back(
              fmt::format("{}: {} record below the zone cut {} (only glue A/AAAA allowed)",
                          text_of(draft.owner), wire::type_to_text(type), text_of(up.owner)));
      if (draft.profile)
        errors.push_back(fmt::format("{}: profile below the zone cut {}", text_of(draft.owner),
                                     text_of(up.owner)));
      break;
    }
  }

  void check_zone(std::vector<std::string>& errors) const {
    check_apex(errors);
    for (const auto& draft : drafts_) {
      std::size_t cnames = 0;
      const auto types = types_of(draft, cnames);
      check_node(draft, &draft == &drafts_.front(), types, cnames, errors);
      check_below_cut(draft, types, errors);
    }
  }

  // Layout: sizes first, so the arrays never move once pointers into them are taken; then the
  // index, the glue and the SOA's numbers, all worked out here rather than per query.
  std::unique_ptr<Zone> lay_out() const {
    auto zone = std::unique_ptr<Zone>(new Zone());
    zone->origin_ = in_.origin;
    std::size_t byte_count = 0, rrset_count = 0;
    for (const auto& draft : drafts_) {
      std::size_t cnames = 0;
      byte_count += draft.owner.size();
      rrset_count += types_of(draft, cnames).size();
      for (std::uint32_t r = draft.first_record; r < draft.first_record + draft.record_count; ++r)
        byte_count += 2 + records_[r].rdata_size;
    }
    zone->bytes_.reserve(byte_count);
    zone->rrsets_.reserve(rrset_count);
    zone->nodes_.reserve(drafts_.size());
    for (const auto& draft : drafts_) zone->nodes_.push_back(lay_out_node(*zone, draft));
    zone->build_index();
    zone->attach_glue();
    // RFC 2308 §5: negative answers are cached for min(SOA TTL, SOA MINIMUM).
    const RRset& soa = *zone->apex().find(wire::rrtype::soa);
    const Bytes soa_rdata = soa.rdatas.front();
    zone->serial_ = soa::serial(soa_rdata);
    zone->negative_ttl_ = std::min(soa.ttl, soa::minimum(soa_rdata));
    return zone;
  }

  Node lay_out_node(Zone& zone, const Draft& draft) const {
    auto copy = [&](Bytes bytes) {
      const std::uint8_t* at = zone.bytes_.data() + zone.bytes_.size();
      zone.bytes_.insert(zone.bytes_.end(), bytes.begin(), bytes.end());
      return at;
    };
    Node node;
    node.owner = OwnerName{copy(draft.owner), static_cast<std::uint8_t>(draft.owner.size())};
    const RRset* first_rrset = zone.rrsets_.data() + zone.rrsets_.size();
    const std::uint32_t end = draft.first_record + draft.record_count;
    for (std::uint32_t r = draft.first_record; r < end;) {
      const std::uint8_t* data = zone.bytes_.data() + zone.bytes_.size();
      const std::uint16_t type = records_[r].type;
      const std::uint32_t ttl = records_[r].ttl;  // the first record in load order
      std::uint32_t count = 0;
      for (; r < end && records_[r].type == type; ++r, ++count) {
        const std::uint8_t length[2] = {static_cast<std::uint8_t>(records_[r].rdata_size >> 8),
                                        static_cast<std::uint8_t>(records_[r].rdata_size)};
        copy(length);
        copy(in_.rdata_of(records_[r]));
      }
      const auto bytes = static_cast<std::uint32_t>(zone.bytes_.data() + zone.bytes_.size() - data);
      zone.rrsets_.push_back(RRset{type, ttl, RdataList(data, bytes, count)});
    }
    const RRset* last_rrset = zone.rrsets_.data() + zone.rrsets_.size();
    node.rrsets = {first_rrset, static_cast<std::size_t>(last_rrset - first_rrset)};
    node.profile = draft.profile;
    node.is_zone_cut = draft.is_zone_cut;
    node.has_wildcard_child = draft.has_wildcard_child;
    return node;
  }

  Impl& in_;
  std::vector<Record>& records_;
  std::vector<std::pair<Bytes, routing::ProfileId>> profiles_;
  std::vector<Draft> drafts_;
  std::unordered_map<std::string_view, std::uint32_t> by_name_;
};

BuildResult ZoneBuilder::build() && { return Build(*impl_).run(); }

}  // namespace dnsd::zone
