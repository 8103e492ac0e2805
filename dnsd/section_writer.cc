// Writing RRsets into the answer, authority and additional sections: whole RRsets or nothing,
// negative answers with the zone's SOA, referrals with their glue. The glue and the negative
// TTL were worked out when the zone was built; nothing here searches the zone.
#include "dnsd/section_writer.hh"

#include <algorithm>

#include "dnsd/dnssec/on_demand.hh"
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
  std::uint16_t written = static_cast<std::uint16_t>(rrset.rdatas.size());
  // RFC 4035 §3.1.1: the RRset's RRSIGs with it; an RRset the zone does not sign (NS at a cut,
  // glue) has none. The whole lot fits or none of it is written.
  if (dnssec && !put_rrsigs(owner, rrset.type, ttl, rrsigs_for(owner, rrset, ttl), written)) {
    writer.rollback(mark);
    return false;
  }
  counter = static_cast<std::uint16_t>(counter + written);
  return true;
}

zone::RdataList SectionWriter::rrsigs_for(Bytes owner, const zone::RRset& rrset,
                                          std::uint32_t ttl) noexcept {
  if (!synthesized) return dnssec->rrsigs(rrset);
  std::array<Bytes, 64> rdatas;
  if (rrset.rdatas.size() > rdatas.size() || dnssec->rrsigs(rrset).size() == 0) return {};
  std::size_t count = 0;
  for (const auto rdata : rrset.rdatas) rdatas[count++] = rdata;
  return dnssec::sign_on_demand(*dnssec, owner, rrset.type, ttl, std::span(rdatas.data(), count));
}

bool SectionWriter::put_rrsigs(Bytes owner, std::uint16_t, std::uint32_t ttl,
                               zone::RdataList rrsigs, std::uint16_t& counter) noexcept {
  for (const auto rdata : rrsigs) {
    if (!writer.put_rr(owner, rrtype::rrsig, wire::rrclass::in, ttl, rdata)) return false;
    ++counter;
  }
  return true;
}

bool SectionWriter::put_answer(Bytes owner, const zone::RRset& rrset) noexcept {
  if (put_rrset(owner, rrset, sections.answer, rrset.ttl)) return true;
  sections.tc = true;
  return false;
}

// RFC 2308 §3: the SOA goes in authority with TTL min(SOA TTL, SOA MINIMUM). Signed, the
// compact denial of RFC 9824 §3 follows: an NSEC at the name itself whose next name is
// \000.<name>, made ahead for an existing name and on demand for a missing one (with NXNAME in
// its bitmap); NXDOMAIN becomes NOERROR unless the client set CO (§4).
void SectionWriter::put_negative(const zone::Node* node, Bytes owner,
                                 std::span<const std::uint16_t> answerable) noexcept {
  const zone::RRset& soa = *zone.apex().find(rrtype::soa);
  if (!put_rrset(zone.apex().owner.wire(), soa, sections.authority, zone.negative_ttl())) {
    sections.tc = true;
    return;
  }
  if (!dnssec || owner.empty()) return;
  const auto mark = writer.mark();
  std::uint16_t written = 0;
  const std::uint32_t ttl = dnssec->negative_ttl();
  bool ok = false;
  if (node && !synthesized && answerable.empty()) {  // at a cut too: it proves there is no DS
    const dnssec::Denial& denial = dnssec->nodata(*node);
    ok = writer.put_rr(owner, rrtype::nsec, wire::rrclass::in, ttl, denial.nsec.front()) &&
         put_rrsigs(owner, rrtype::nsec, ttl, denial.rrsigs, ++written);
  } else {
    // A missing name, one a wildcard answers with no data, or a health-routed name: its NSEC
    // is made for it.
    std::array<std::uint16_t, 64> types{};
    std::size_t count = 0;
    types[count++] = rrtype::rrsig;
    types[count++] = rrtype::nsec;
    if (!node) types[count++] = dnssec::type_nxname;
    for (std::size_t i = 0; node && i < node->rrsets.size() && count < types.size(); ++i)
      types[count++] = node->rrsets[i].type;
    for (std::size_t i = 0; i < answerable.size() && count < types.size(); ++i)
      types[count++] = answerable[i];
    std::array<std::uint8_t, 2 + wire::max_name_size + 256> nsec{};
    const std::size_t size = dnssec::compact_nsec_into(owner, std::span(types.data(), count), nsec);
    if (size == 0) return;
    const std::span<const std::uint8_t> rdata(nsec.data(), size);
    const std::span<const std::uint8_t> rdatas[] = {rdata};
    const zone::RdataList rrsigs =
        dnssec::sign_on_demand(*dnssec, owner, rrtype::nsec, ttl, rdatas);
    // Left unsigned while rate limiting decides (on_demand.hh): the NSEC is left out, the rest
    // is as signed, and the answer is made again, signed, only if it is sent.
    if (rrsigs.size() == 0 && dnssec::signature_owed())
      ok = true;
    else
      ok = rrsigs.size() != 0 &&
           writer.put_rr(owner, rrtype::nsec, wire::rrclass::in, ttl, rdata) &&
           put_rrsigs(owner, rrtype::nsec, ttl, rrsigs, ++written);
  }
  if (!ok) {
    writer.rollback(mark);
    sections.tc = true;
    return;
  }
  sections.authority = static_cast<std::uint16_t>(sections.authority + written);
  if (sections.rcode == wire::rcode::nxdomain && !compact_ok) sections.rcode = wire::rcode::noerror;
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
  // RFC 4035 §3.1.4: signed, the referral also carries the DS with its RRSIGs, or the NSEC
  // proving there is none (an insecure delegation), both made ahead.
  if (dnssec) {
    const Bytes owner = cut.owner.wire();
    if (const zone::RRset* ds = cut.find(rrtype::ds)) {
      if (!put_rrset(owner, *ds, sections.authority, ds->ttl)) sections.tc = true;
    } else {
      const dnssec::Denial& denial = dnssec->nodata(cut);
      const auto mark = writer.mark();
      std::uint16_t written = 1;
      const std::uint32_t ttl = dnssec->negative_ttl();
      if (writer.put_rr(owner, rrtype::nsec, wire::rrclass::in, ttl, denial.nsec.front()) &&
          put_rrsigs(owner, rrtype::nsec, ttl, denial.rrsigs, written)) {
        sections.authority = static_cast<std::uint16_t>(sections.authority + written);
      } else {
        writer.rollback(mark);
        sections.tc = true;
      }
    }
    if (sections.tc) return;
  }
  put_additional_for(cut, ns);
}

}  // namespace dnsd
