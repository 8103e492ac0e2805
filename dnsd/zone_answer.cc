// "The algorithm" of RFC 1034 §4.3.2 for one zone: find the node (zone cuts first, then the
// exact name, then a wildcard per RFC 4592), follow CNAMEs inside the zone, and write the
// answer, authority and additional sections. Negative answers carry the SOA (RFC 2308).
#include <algorithm>

#include "dnsd/zone_answer.hh"

#include "dnsd/profile_answer.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

using Bytes = std::span<const std::uint8_t>;
namespace rrtype = wire::rrtype;

constexpr std::size_t max_cname_hops = 16;

struct Found {
  enum class Kind : std::uint8_t { hit, nxdomain, referral } kind = Kind::nxdomain;
  const zone::Node* node = nullptr;
};

// Label start offsets of an uncompressed name, first label first.
std::size_t label_starts(Bytes name, std::array<std::uint8_t, 128>& starts) noexcept {
  std::size_t count = 0;
  for (std::size_t pos = 0; name[pos] != 0; pos += 1 + name[pos]) starts[count++] = static_cast<std::uint8_t>(pos);
  return count;
}

std::size_t label_count(Bytes name) noexcept {
  std::size_t count = 0;
  for (std::size_t pos = 0; name[pos] != 0; pos += 1 + name[pos]) ++count;
  return count;
}

// Walks down from the apex one label at a time: a zone cut on the way means a referral, a
// missing name means the deepest name found is the closest encloser (RFC 4592 §3.3.1).
Found lookup(const zone::Zone& zone, Bytes lowered, std::uint16_t qtype) noexcept {
  std::array<std::uint8_t, 128> starts;
  const std::size_t labels = label_starts(lowered, starts);
  const std::size_t origin_labels = label_count(zone.origin().wire());
  const zone::Node* closest = &zone.apex();
  for (std::size_t i = labels - origin_labels; i-- > 0;) {
    const zone::Node* node = zone.find(lowered.subspan(starts[i]));
    if (!node) {
      if (!closest->has_wildcard_child) return {Found::Kind::nxdomain, closest};
      std::array<std::uint8_t, wire::max_name_size + 2> wildcard{1, '*'};
      const auto owner = closest->owner.wire();
      std::copy(owner.begin(), owner.end(), wildcard.begin() + 2);
      return {Found::Kind::hit, zone.find(Bytes(wildcard.data(), owner.size() + 2))};
    }
    // DS belongs to the parent side of a cut (RFC 4035 §3.1.4.1), so it is answered here.
    if (node->is_zone_cut && !(i == 0 && qtype == rrtype::ds)) return {Found::Kind::referral, node};
    closest = node;
  }
  return {Found::Kind::hit, closest};
}

std::uint32_t soa_minimum(const zone::RRset& soa) noexcept {
  const auto& rdata = soa.rdatas.front();
  const std::size_t at = rdata.size() - 4;
  return static_cast<std::uint32_t>(rdata[at]) << 24 | rdata[at + 1] << 16 | rdata[at + 2] << 8 | rdata[at + 3];
}

}  // namespace

// Writes whole RRsets or nothing, so truncation never leaves half an RRset (RFC 2181 §9).
bool ZoneAnswer::put_rrset(Bytes owner, const zone::RRset& rrset, std::uint16_t& counter,
                           std::uint32_t ttl) noexcept {
  const auto mark = writer.mark();
  for (const auto& rdata : rrset.rdatas) {
    if (!writer.put_rr(owner, rrset.type, wire::rrclass::in, ttl, rdata)) {
      writer.rollback(mark);
      return false;
    }
  }
  counter = static_cast<std::uint16_t>(counter + rrset.rdatas.size());
  return true;
}

bool ZoneAnswer::put_answer(Bytes owner, const zone::RRset& rrset) noexcept {
  if (put_rrset(owner, rrset, sections.answer, rrset.ttl)) return true;
  sections.tc = true;
  return false;
}

// RFC 2308 §3: the SOA goes in authority with TTL min(SOA TTL, SOA MINIMUM).
void ZoneAnswer::put_negative() noexcept {
  const zone::RRset& soa = *zone.apex().find(rrtype::soa);
  if (!put_rrset(zone.apex().owner.wire(), soa, sections.authority, std::min(soa.ttl, soa_minimum(soa))))
    sections.tc = true;
}

// Adds the A and AAAA RRsets of an in-zone name to additional, once per name. `required` is
// for glue that RFC 9471 says must fit, or else TC.
void ZoneAnswer::put_addresses_of(Bytes target, bool required) noexcept {
  std::array<std::uint8_t, wire::max_name_size> lowered{};
  for (std::size_t i = 0; i < target.size(); ++i) lowered[i] = wire::ascii_lower(target[i]);
  const Bytes key(lowered.data(), target.size());
  const zone::Node* node = zone.find(key);
  if (!node) return;
  if (std::find(added.begin(), added.begin() + added_count, node) != added.begin() + added_count) return;
  if (added_count < added.size()) added[added_count++] = node;
  for (std::uint16_t type : {rrtype::a, rrtype::aaaa}) {
    const zone::RRset* rrset = node->find(type);
    if (rrset && !put_rrset(target, *rrset, sections.additional, rrset->ttl) && required) sections.tc = true;
  }
}

// Additional section processing for the types whose rdata names a host (RFC 1035 §3.3, §4.1).
void ZoneAnswer::put_additional_for(const zone::RRset& rrset) noexcept {
  std::size_t skip = 0;
  if (rrset.type == rrtype::mx) skip = 2;
  else if (rrset.type == rrtype::srv) skip = 6;
  else if (rrset.type != rrtype::ns) return;
  for (const auto& rdata : rrset.rdatas) {
    const Bytes target = Bytes(rdata).subspan(skip);
    if (wire::is_subdomain(target, zone.origin().wire())) put_addresses_of(target, false);
  }
}

// A referral: the child's NS in authority, no AA, and the glue in additional.
void ZoneAnswer::put_referral(const zone::Node& cut) noexcept {
  const zone::RRset& ns = *cut.find(rrtype::ns);
  if (!put_rrset(cut.owner.wire(), ns, sections.authority, ns.ttl)) {
    sections.tc = true;
    return;
  }
  for (const auto& rdata : ns.rdatas) {
    if (wire::is_subdomain(rdata, cut.owner.wire())) put_addresses_of(rdata, true);  // in-bailiwick glue
    else if (wire::is_subdomain(rdata, zone.origin().wire())) put_addresses_of(rdata, false);  // sibling
  }
}

// RFC 8482 §4.1: answer ANY with one RRset of the name rather than all of them: the one with the
// lowest type number, so the choice is stable whatever order the zone was written in.
void ZoneAnswer::put_any(Bytes owner, const zone::Node& node) noexcept {
  if (!node.rrsets.empty()) {
    put_answer(owner, node.rrsets.front());
  } else {
    put_negative();
  }
}

void ZoneAnswer::run(const Question& question) noexcept {
  // Names are spans into memory that outlives the query: the question, then CNAME targets in
  // the zone's rdata or the model's endpoints. Nothing is copied but the lower-cased key.
  Bytes owner = question.qname.wire();  // as the client wrote it, echoed in the answer
  std::array<std::uint8_t, wire::max_name_size> lowered_buffer;
  Bytes lowered = question.lowered.wire();
  const std::uint16_t qtype = question.qtype;
  std::array<Bytes, max_cname_hops> visited;  // a CNAME loop ends where it began (RFC 1034 §3.6.2)
  for (std::size_t hop = 0; hop < max_cname_hops; ++hop) {
    for (std::size_t i = 0; i < hop; ++i)
      if (wire::names_equal(visited[i], owner)) return;
    visited[hop] = owner;
    const Found found = lookup(zone, lowered, qtype);
    if (hop == 0) sections.aa = found.kind != Found::Kind::referral;
    if (found.kind == Found::Kind::referral) return put_referral(*found.node);
    if (found.kind == Found::Kind::nxdomain) {
      sections.rcode = wire::rcode::nxdomain;  // RFC 6604: the rcode of the chain's last name
      return put_negative();
    }
    const zone::Node& node = *found.node;
    if (qtype == rrtype::any && !node.profile) return put_any(owner, node);
    if (const zone::RRset* rrset = node.find(qtype)) {
      if (put_answer(owner, *rrset)) put_additional_for(*rrset);
      return;
    }
    Bytes next;
    if (node.profile) {
      next = answer_profile(*this, *node.profile, owner, qtype);
    } else if (const zone::RRset* cname = node.find(rrtype::cname)) {
      if (!put_answer(owner, *cname)) return;
      next = cname->rdatas.front();
    } else {
      return put_negative();  // NODATA: the name exists, the type does not
    }
    // Follow the chain only inside this zone; a resolver chases the rest.
    if (next.empty() || !wire::is_subdomain(next, zone.origin().wire())) return;
    owner = next;
    lowered = wire::lower_into(next, lowered_buffer);
  }
}

void answer_from_zone(const ServingState& state, const zone::Zone& zone, const Question& question,
                      const Client& client, wire::Writer& writer, Sections& sections) noexcept {
  ZoneAnswer answer{state, zone, client, writer, sections};
  answer.run(question);
}

}  // namespace dnsd
