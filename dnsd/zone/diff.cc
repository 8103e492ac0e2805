// Applying a Diff: the next zone is built by the same ZoneBuilder as a loaded one, from the
// previous zone's RRsets less the removed records plus the added ones, so that every rule a
// loaded zone meets holds for a changed one too. Costs one pass over the previous zone.
#include "dnsd/zone/diff.hh"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "dnsd/wire/types.hh"
#include "dnsd/zone/serial.hh"
#include "dnsd/zone/soa.hh"

namespace dnsd::zone {
namespace {

using Bytes = std::span<const std::uint8_t>;
namespace rrtype = wire::rrtype;

std::string text_of(const Record& record) {
  return fmt::format("{} {}", record.owner.to_text(), wire::type_to_text(record.type));
}

// The rdata of `record` as stored in `zone` (its bytes there), or an empty span.
Bytes find_rdata(const Zone& zone, const Record& record) noexcept {
  const Node* node = zone.find(record.owner.lowercased());
  const RRset* rrset = node ? node->find(record.type) : nullptr;
  if (!rrset) return {};
  for (const Bytes rdata : rrset->rdatas)
    if (std::equal(rdata.begin(), rdata.end(), record.rdata.begin(), record.rdata.end()))
      return rdata;
  return {};
}

void check_soas(const Zone& zone, const Diff& diff, std::vector<std::string>& errors) {
  for (const Record* soa : {&diff.old_soa, &diff.new_soa})
    if (soa->type != rrtype::soa || soa->owner.lowercased() != zone.origin() ||
        soa->rdata.size() < 22)
      errors.push_back(fmt::format("{}: the diff's SOAs must be SOA records of the apex",
                                   zone.origin().to_text()));
  if (!errors.empty()) return;
  if (diff.from_serial() != zone.serial())
    errors.push_back(fmt::format("{}: the diff starts at serial {}, the zone is at serial {}",
                                 zone.origin().to_text(), diff.from_serial(), zone.serial()));
  // RFC 1995 §5 and RFC 2136 §3.6: every change raises the serial.
  if (!serial_gt(diff.to_serial(), diff.from_serial()))
    errors.push_back(fmt::format("{}: serial {} is not newer than {} (RFC 1982)",
                                 zone.origin().to_text(), diff.to_serial(), diff.from_serial()));
}

// The records to leave out, each as the address of its rdata in `zone` (unique per record).
std::unordered_set<const std::uint8_t*> removals(const Zone& zone, const Diff& diff,
                                                 std::vector<std::string>& errors) {
  std::unordered_set<const std::uint8_t*> removed;
  for (const Record& record : diff.removed) {
    if (record.type == rrtype::soa) {
      errors.push_back(
          fmt::format("{}: the SOA changes through the diff's SOAs only", text_of(record)));
      continue;
    }
    const Bytes rdata = find_rdata(zone, record);
    if (rdata.data() == nullptr)
      errors.push_back(
          fmt::format("{}: cannot remove a record the zone does not hold", text_of(record)));
    else if (!removed.insert(rdata.data()).second)
      errors.push_back(fmt::format("{}: the same record is removed twice", text_of(record)));
  }
  for (const Record& record : diff.added) {
    if (record.type == rrtype::soa) {
      errors.push_back(
          fmt::format("{}: the SOA changes through the diff's SOAs only", text_of(record)));
      continue;
    }
    const Bytes rdata = find_rdata(zone, record);
    if (rdata.data() != nullptr && !removed.contains(rdata.data()))
      errors.push_back(
          fmt::format("{}: cannot add a record the zone already holds", text_of(record)));
  }
  return removed;
}

// Seeds the builder with what stays of `zone`: every RRset in zone order (so each keeps its
// records' order and TTL), the profiles, and the new SOA in place of the old.
void add_kept(const Zone& zone, const std::unordered_set<const std::uint8_t*>& removed,
              const Record& new_soa, ZoneBuilder& builder, std::vector<std::string>& errors) {
  for (const Node& node : zone.nodes()) {
    const wire::Name owner = *wire::Name::from_wire(node.owner.wire());
    if (node.profile) builder.add_profile(owner, *node.profile);
    for (const RRset& rrset : node.rrsets) {
      if (rrset.type == rrtype::soa && &node == &zone.apex()) continue;
      for (const Bytes rdata : rrset.rdatas)
        if (!removed.contains(rdata.data()))
          builder.add_record(owner, rrset.type, rrset.ttl, rdata);
    }
  }
  if (auto error = builder.add_record(new_soa.owner, rrtype::soa, new_soa.ttl, new_soa.rdata);
      !error.empty())
    errors.push_back(fmt::format("{}: {}", text_of(new_soa), error));
}

}  // namespace

std::uint32_t Diff::from_serial() const noexcept { return soa::serial(old_soa.rdata); }
std::uint32_t Diff::to_serial() const noexcept { return soa::serial(new_soa.rdata); }

std::size_t Diff::wire_size() const noexcept {
  std::size_t size = old_soa.wire_size() + new_soa.wire_size();
  for (const auto* records : {&removed, &added})
    for (const Record& record : *records) size += record.wire_size();
  return size;
}

Record soa_record(const Zone& zone) {
  const RRset& soa = *zone.apex().find(rrtype::soa);
  const Bytes rdata = soa.rdatas.front();
  return Record{zone.origin(), rrtype::soa, soa.ttl, {rdata.begin(), rdata.end()}};
}

Diff Diff::starting_at(const Zone& zone, std::uint32_t serial) {
  Diff diff;
  diff.old_soa = soa_record(zone);
  diff.new_soa = diff.old_soa;
  soa::set_serial(diff.new_soa.rdata, serial);
  return diff;
}

void Diff::remove_rrset(const Zone& zone, const wire::Name& owner, std::uint16_t type) {
  const Node* node = zone.find(owner.lowercased());
  const RRset* rrset = node ? node->find(type) : nullptr;
  if (!rrset) return;
  for (const Bytes rdata : rrset->rdatas)
    removed.push_back(Record{owner, type, rrset->ttl, {rdata.begin(), rdata.end()}});
}

BuildResult apply(const Zone& zone, const Diff& diff) {
  BuildResult result;
  check_soas(zone, diff, result.errors);
  const auto removed = removals(zone, diff, result.errors);
  if (!result.errors.empty()) return result;
  ZoneBuilder builder(zone.origin());
  add_kept(zone, removed, diff.new_soa, builder, result.errors);
  for (const Record& record : diff.added)
    if (auto error = builder.add_record(record.owner, record.type, record.ttl, record.rdata);
        !error.empty())
      result.errors.push_back(fmt::format("{}: {}", text_of(record), error));
  if (!result.errors.empty()) return result;
  return std::move(builder).build();
}

}  // namespace dnsd::zone
