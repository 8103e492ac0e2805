// "The algorithm" of RFC 1034 §4.3.2 for one zone, as sections: zone::Zone::lookup says what
// the name holds, this writes it, step by step (Knot's internet.c), and follows CNAMEs inside
// the zone by looking up again. Negative answers carry the SOA (RFC 2308).
#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/profile_answer.hh"
#include "dnsd/query.hh"
#include "dnsd/section_writer.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

using Bytes = std::span<const std::uint8_t>;
namespace rrtype = wire::rrtype;
using Kind = zone::Lookup::Kind;

constexpr std::size_t max_cname_hops = 16;

// Writes what one lookup found; returns the name to look up next (a CNAME's target or a
// profile's), or an empty span when the answer is complete.
Bytes put_found(SectionWriter& out, const zone::Lookup& found, Bytes owner,
                std::uint16_t qtype) noexcept {
  switch (found.kind) {
    case Kind::referral:  // step 3.b
      out.put_referral(*found.node, *found.rrset);
      return {};
    case Kind::nxdomain:  // step 3.c; RFC 6604: the rcode of the chain's last name
      out.sections.rcode = wire::rcode::nxdomain;
      out.put_negative(nullptr, owner);
      return {};
    case Kind::nodata:  // RFC 2308 §2.2: the name exists, the type does not
      out.put_negative(found.node, owner);
      return {};
    case Kind::hit:  // step 3.a, then step 6 (additional); ANY answers one RRset, alone
      if (out.put_answer(owner, *found.rrset) && qtype != rrtype::any)
        out.put_additional_for(*found.node, *found.rrset);
      return {};
    case Kind::profile:
      out.profile_node = found.node;
      return answer_profile(out, *found.node->profile, owner, qtype);
    case Kind::cname:  // step 3.a: "copy the CNAME RR into the answer section"
      if (!out.put_answer(owner, *found.rrset)) return {};
      return found.rrset->rdatas.front();
  }
  return {};
}

}  // namespace

void answer_from_zone(const ServingState& state, const zone::Zone& zone, const Question& question,
                      const Client& client, wire::Writer& writer, Sections& sections) noexcept {
  SectionWriter out{state, zone, client, writer, sections};
  if (question.dnssec_ok && state.signatures) {
    out.dnssec = state.signatures->find(zone.index());
    out.compact_ok = question.compact_ok;
  }
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
    const zone::Lookup found = zone.lookup(lowered, qtype);
    // "Is authoritative answer unless referral" (Knot); the first name decides it.
    if (hop == 0) sections.aa = found.kind != Kind::referral;
    if (hop == 0) sections.wildcard = found.wildcard;
    out.synthesized = found.wildcard;
    const Bytes next = put_found(out, found, owner, qtype);
    // Follow the chain only inside this zone; a resolver chases the rest.
    if (next.empty() || !wire::is_subdomain(next, zone.origin().wire())) return;
    owner = next;
    lowered = wire::lower_into(next, lowered_buffer);
  }
}

}  // namespace dnsd
