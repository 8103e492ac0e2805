// Building views and diffing them (see view.hh). A view is built by the same ZoneBuilder as a
// loaded zone, so it meets every rule a served zone meets.
#include "publish/view.hh"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "dnsd/wire/types.hh"
#include "dnsd/zone/soa.hh"

namespace publish {
namespace {

namespace rrtype = dnsd::wire::rrtype;
namespace zone = dnsd::zone;
using Bytes = std::span<const std::uint8_t>;
using dnsd::wire::Name;

// An RRset of a view by (owner, type), with its TTL and rdatas, for the diff.
struct RRsetCopy {
  std::uint32_t ttl = 0;
  std::set<std::vector<std::uint8_t>> rdatas;
};
using RRsetKey = std::pair<std::vector<std::uint8_t>, std::uint16_t>;  // owner wire, type

std::map<RRsetKey, RRsetCopy> rrsets_of(const zone::Zone& view) {
  std::map<RRsetKey, RRsetCopy> out;
  view.for_each_rrset([&](const zone::OwnerName& owner, const zone::RRset& rrset) {
    if (rrset.type == rrtype::soa) return;
    RRsetCopy& copy = out[{{owner.wire().begin(), owner.wire().end()}, rrset.type}];
    copy.ttl = rrset.ttl;
    for (const Bytes rdata : rrset.rdatas) copy.rdatas.emplace(rdata.begin(), rdata.end());
  });
  return out;
}

void add_records(const RRsetKey& key, std::uint32_t ttl,
                 const std::set<std::vector<std::uint8_t>>& rdatas,
                 std::vector<zone::Record>& into) {
  const Name owner = *Name::from_wire(key.first);
  for (const auto& rdata : rdatas) into.push_back(zone::Record{owner, key.second, ttl, rdata});
}

std::vector<std::uint8_t> without_serial(const zone::Record& soa) {
  std::vector<std::uint8_t> rdata = soa.rdata;
  zone::soa::set_serial(rdata, 0);
  return rdata;
}

}  // namespace

std::vector<Decision> decide_all(const zone::Zone& served, const Sources& sources) {
  std::vector<Decision> decisions;
  for (const zone::Node& node : served.nodes()) {
    if (!node.profile) continue;
    Decision decision;
    decision.owner = *Name::from_wire(node.owner.wire());
    decision.profile = *node.profile;
    decision.at_apex = &node == &served.apex();
    decision.records = decide(sources, decision.profile, decision.owner, decision.at_apex);
    decisions.push_back(std::move(decision));
  }
  return decisions;
}

zone::BuildResult build_view(const zone::Zone& served, std::uint32_t serial,
                             const std::vector<Decision>& decisions) {
  zone::ZoneBuilder builder(served.origin());
  std::vector<std::string> errors;
  const auto add = [&](const Name& owner, std::uint16_t type, std::uint32_t ttl, Bytes rdata) {
    if (auto error = builder.add_record(owner, type, ttl, rdata); !error.empty())
      errors.push_back(
          fmt::format("{} {}: {}", owner.to_text(), dnsd::wire::type_to_text(type), error));
  };
  for (const zone::Node& node : served.nodes()) {
    const Name owner = *Name::from_wire(node.owner.wire());
    for (const zone::RRset& rrset : node.rrsets) {
      if (rrset.type == rrtype::soa && &node == &served.apex()) continue;
      for (const Bytes rdata : rrset.rdatas) add(owner, rrset.type, rrset.ttl, rdata);
    }
  }
  zone::Record soa = zone::soa_record(served);
  zone::soa::set_serial(soa.rdata, serial);
  add(soa.owner, soa.type, soa.ttl, soa.rdata);
  for (const Decision& decision : decisions)
    for (const zone::Record& record : decision.records)
      add(record.owner, record.type, record.ttl, record.rdata);
  if (!errors.empty()) return zone::BuildResult{nullptr, std::move(errors)};
  return std::move(builder).build();
}

zone::Diff diff_views(const zone::Zone& from, const zone::Zone& to, std::uint32_t serial) {
  zone::Diff diff = zone::Diff::starting_at(from, serial);
  diff.new_soa = zone::soa_record(to);
  zone::soa::set_serial(diff.new_soa.rdata, serial);
  const auto before = rrsets_of(from);
  const auto after = rrsets_of(to);
  for (const auto& [key, old] : before) {
    const auto next = after.find(key);
    if (next == after.end() || next->second.ttl != old.ttl) {
      add_records(key, old.ttl, old.rdatas, diff.removed);
      continue;
    }
    std::set<std::vector<std::uint8_t>> gone;
    std::set_difference(old.rdatas.begin(), old.rdatas.end(), next->second.rdatas.begin(),
                        next->second.rdatas.end(), std::inserter(gone, gone.end()));
    add_records(key, old.ttl, gone, diff.removed);
  }
  for (const auto& [key, next] : after) {
    const auto old = before.find(key);
    if (old == before.end() || old->second.ttl != next.ttl) {
      add_records(key, next.ttl, next.rdatas, diff.added);
      continue;
    }
    std::set<std::vector<std::uint8_t>> fresh;
    std::set_difference(next.rdatas.begin(), next.rdatas.end(), old->second.rdatas.begin(),
                        old->second.rdatas.end(), std::inserter(fresh, fresh.end()));
    add_records(key, next.ttl, fresh, diff.added);
  }
  return diff;
}

bool changes_nothing(const zone::Diff& diff) {
  return diff.removed.empty() && diff.added.empty() && diff.old_soa.ttl == diff.new_soa.ttl &&
         without_serial(diff.old_soa) == without_serial(diff.new_soa);
}

}  // namespace publish
