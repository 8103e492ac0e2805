// The general path's view of a query and the response's bookkeeping, shared by its steps
// (general_answer.cc parses and frames, zone_answer.cc and profile_answer.cc fill the sections).
#pragma once

#include <cstdint>

#include "dnsd/serving.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/wire/writer.hh"

namespace dnsd {

struct Question {
  wire::WireName qname;  // as received: its case is echoed back (0x20)
  wire::Name lowered;    // for lookups
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  bool dnssec_ok = false;   // DO (RFC 3225): RRSIGs and NSECs wanted
  bool compact_ok = false;  // CO (RFC 9824 §4): NXDOMAIN may be told as such
};

struct Sections {
  std::uint16_t answer = 0, authority = 0, additional = 0;
  std::uint16_t rcode = 0;
  bool aa = false;
  bool tc = false;
  bool wildcard = false;  // a wildcard synthesised the answer (for rate limiting)
  std::uint8_t ecs_scope =
      0;  // RFC 7871 SCOPE PREFIX-LENGTH of the answer (0: address-independent)
};

// One answer record of a health-routed name: the CNAME to an FQDN endpoint, or an endpoint's
// address. profile_answer.cc writes them per query and prepared.cc once per endpoint, both
// through here. Sets TC when the record does not fit.
inline bool put_endpoint_record(wire::Writer& writer, Sections& sections,
                                std::span<const std::uint8_t> owner, std::uint16_t type,
                                std::uint32_t ttl, std::span<const std::uint8_t> rdata) noexcept {
  if (writer.put_rr(owner, type, wire::rrclass::in, ttl, rdata)) {
    ++sections.answer;
    return true;
  }
  sections.tc = true;
  return false;
}

// Fills answer, authority and additional for a class IN question inside `zone`
// (RFC 1034 §4.3.2, with RFC 2308 negative answers and RFC 4592 wildcards).
void answer_from_zone(const ServingState& state, const zone::Zone& zone, const Question& question,
                      const Client& client, wire::Writer& writer, Sections& sections) noexcept;

}  // namespace dnsd
