// RFC 2136 §3.2, one pass over the prerequisite section and one over its value-dependent RRsets.
#include "dnsd/update/prerequisites.hh"

#include <fmt/format.h>

#include <algorithm>

namespace dnsd::update {
namespace {

namespace rc = wire::rcode;

// §1.1.1 / §2.4.1: a name is in use when it owns at least one RR; an empty non-terminal does not.
// A health-routed name owns its answers, so it is in use.
bool name_in_use(const zone::Zone& zone, const wire::Name& owner) {
  const zone::Node* node = zone.find(owner);
  return node && !node->is_empty_non_terminal();
}

const zone::RRset* find_rrset(const zone::Zone& zone, const wire::Name& owner, std::uint16_t type) {
  const zone::Node* node = zone.find(owner);
  return node ? node->find(type) : nullptr;
}

Verdict fail(std::uint16_t rcode, const Record& record, std::string_view what) {
  return {rcode, fmt::format("prerequisite {} {}: {}", record.owner.to_text(),
                             wire::type_to_text(record.type), what)};
}

// §3.2.3: the RRset built from the prerequisites must equal the zone's, rdata for rdata.
bool same_rrset(const zone::RRset* rrset, std::span<const Record* const> wanted) {
  if (!rrset) return false;
  std::vector<std::span<const std::uint8_t>> have(rrset->rdatas.begin(), rrset->rdatas.end());
  std::vector<std::span<const std::uint8_t>> want;
  for (const Record* record : wanted) want.push_back(record->rdata);
  const auto less = [](auto a, auto b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  };
  const auto equal = [](auto a, auto b) { return std::ranges::equal(a, b); };
  std::sort(have.begin(), have.end(), less);
  std::sort(want.begin(), want.end(), less);
  want.erase(std::unique(want.begin(), want.end(), equal), want.end());  // RRs are a set
  return std::equal(have.begin(), have.end(), want.begin(), want.end(), equal);
}

}  // namespace

Verdict check_prerequisites(const zone::Zone& zone, std::uint16_t zone_class,
                            std::span<const Record> prerequisites) {
  std::vector<const Record*> values;  // §3.2.3 records, compared as RRsets at the end
  for (const Record& record : prerequisites) {
    if (record.ttl != 0) return fail(rc::formerr, record, "TTL is not 0");
    if (!record.owner.is_subdomain_of(zone.origin()))
      return fail(rc::notzone, record, "outside the zone");
    if (record.rrclass == wire::rrclass::any || record.rrclass == wire::rrclass::none) {
      if (!record.rdata.empty()) return fail(rc::formerr, record, "rdata is not empty");
      const bool any_class = record.rrclass == wire::rrclass::any;
      if (record.type == wire::rrtype::any) {
        const bool in_use = name_in_use(zone, record.owner);
        if (any_class && !in_use) return fail(rc::nxdomain, record, "name is not in use");
        if (!any_class && in_use) return fail(rc::yxdomain, record, "name is in use");
      } else {
        const bool exists = find_rrset(zone, record.owner, record.type) != nullptr;
        if (any_class && !exists) return fail(rc::nxrrset, record, "RRset does not exist");
        if (!any_class && exists) return fail(rc::yxrrset, record, "RRset exists");
      }
    } else if (record.rrclass == zone_class) {
      if (record.type == wire::rrtype::any || wire::is_meta_type(record.type))
        return fail(rc::formerr, record, "a meta type in a value-dependent prerequisite");
      values.push_back(&record);
    } else {
      return fail(rc::formerr, record, fmt::format("class {}", record.rrclass));
    }
  }
  // Group by (owner, type); each group must match the zone's RRset exactly.
  std::stable_sort(values.begin(), values.end(), [](const Record* a, const Record* b) {
    const auto x = a->owner.wire(), y = b->owner.wire();
    if (!std::ranges::equal(x, y))
      return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
    return a->type < b->type;
  });
  for (std::size_t i = 0; i < values.size();) {
    std::size_t j = i + 1;
    while (j < values.size() && values[j]->owner == values[i]->owner &&
           values[j]->type == values[i]->type)
      ++j;
    const auto group = std::span(values).subspan(i, j - i);
    if (!same_rrset(find_rrset(zone, values[i]->owner, values[i]->type), group))
      return fail(rc::nxrrset, *values[i], "RRset differs");
    i = j;
  }
  return {};
}

}  // namespace dnsd::update
