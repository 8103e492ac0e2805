// Answers for health-routed names: asks routing::pick() which endpoints, then writes a CNAME
// to an FQDN endpoint or A/AAAA records (IP endpoints, and flattened FQDNs).
#pragma once

#include "dnsd/section_writer.hh"

namespace dnsd {

// Returns the CNAME target written (to be followed if it lies in the zone), else an empty span.
std::span<const std::uint8_t> answer_profile(SectionWriter& answer, routing::ProfileId profile,
                                             std::span<const std::uint8_t> owner,
                                             std::uint16_t qtype) noexcept;

}  // namespace dnsd
