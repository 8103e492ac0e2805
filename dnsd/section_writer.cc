// Writing RRsets into the answer, authority and additional sections: whole RRsets or nothing,
// negative answers with the zone's SOA, referrals with their glue. The glue and the negative
// TTL were worked out when the zone was built; nothing here searches the zone.
#include "dnsd/section_writer.hh"

#include <algorithm>

#include "dnsd/live_serials.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {

namespace rrtype = wire::rrtype;

// Writes whole RRsets or nothing, so truncation never leaves half an RRset (RFC 2181 §9).
bool SectionWriter::put_rrset(Bytes owner, const zone::RRset& rrset, std::uint16_t& counter,
                              std::uint32_t ttl) noexcept {
  const auto mark = writer.mark();
  for (const auto& rdata : rrset.rdatas) {
    if (!writer.put_rr(owner, rrset.type, wire::rrclass::in, ttl, rdata)) {
      writer.rollback(mark);
      return false;
    }
    // The SOA's serial is the live one (live_serials.hh): the last 20 bytes of its rdata are
    // SERIAL, REFRESH, RETRY, EXPIRE and MINIMUM.
    if (rrset.type == rrtype::soa && state.serials && zone.index() < state.serials->size())
      writer.patch_u32(writer.size() - 20, state.serials->serial(zone.index()));
  }
  counter = static_cast<std::uint16_t>(counter + rrset.rdatas.size());
  return true;
}

bool SectionWriter::put_answer(Bytes owner, const zone::RRset& rrset) noexcept {
  if (put_rrset(owner, rrset, sections.answer, rrset.ttl)) return true;
  sections.tc = true;
  return false;
}

// RFC 2308 §3: the SOA goes in authority with TTL min(SOA TTL, SOA MINIMUM).
void SectionWriter::put_negative() noexcept {
  const zone::RRset& soa = *zone.apex().find(rrtype::soa);
  if (!put_rrset(zone.apex().owner.wire(), soa, sections.authority, zone.negative_ttl()))
    sections.tc = true;
}

// Adds the A and AAAA RRsets of a glue name to additional, once per name. Required glue that
// does not fit sets TC (RFC 9471 §3); other additional data is left out quietly.
void SectionWriter::put_glue(const zone::Glue& glue) noexcept {
  const zone::Node* node = glue.node;
  if (std::find(added.begin(), added.begin() + added_count, node) != added.begin() + added_count)
    return;
  if (added_count < added.size()) added[added_count++] = node;
  for (std::uint16_t type : {rrtype::a, rrtype::aaaa}) {
    const zone::RRset* rrset = node->find(type);
    if (rrset && !put_rrset(glue.name, *rrset, sections.additional, rrset->ttl) && glue.required)
      sections.tc = true;
  }
}

// Additional section processing for the types whose rdata names a host (RFC 1035 §3.3, §4.1).
void SectionWriter::put_additional_for(const zone::Node& node, const zone::RRset& rrset) noexcept {
  for (const zone::Glue& glue : node.glues)
    if (glue.rrset_type == rrset.type) put_glue(glue);
}

// A referral: the child's NS in authority, no AA, and the glue in additional.
void SectionWriter::put_referral(const zone::Node& cut, const zone::RRset& ns) noexcept {
  if (!put_rrset(cut.owner.wire(), ns, sections.authority, ns.ttl)) {
    sections.tc = true;
    return;
  }
  put_additional_for(cut, ns);
}

}  // namespace dnsd
