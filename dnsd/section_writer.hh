// SectionWriter: the state of answering one question from one zone, and the section writers
// that zone_answer.cc (the RFC 1034 algorithm) and profile_answer.cc (health-routed names)
// share. It writes what it is told; deciding what to write is not its job.
#pragma once

#include <array>

#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/query.hh"

namespace dnsd {

struct SectionWriter {
  using Bytes = std::span<const std::uint8_t>;

  const ServingState& state;
  const zone::Zone& zone;
  const Client& client;
  wire::Writer& writer;
  Sections& sections;
  std::array<const zone::Node*, 32> added{};  // names already in additional
  std::size_t added_count = 0;
  // Set when the zone is signed and the query has DO: RRSIGs and NSECs go with the records.
  const dnssec::ZoneSignatures* dnssec = nullptr;
  bool compact_ok = false;  // CO: a missing name may be answered NXDOMAIN (RFC 9824 §4)
  // The RRsets being written were synthesised from a wildcard: signed under the query name on
  // demand, as if the name existed (so no proof of the name's absence is needed).
  bool synthesized = false;
  const zone::Node* profile_node = nullptr;  // the health-routed node being answered

  bool put_rrset(Bytes owner, const zone::RRset& rrset, std::uint16_t& counter,
                 std::uint32_t ttl) noexcept;
  bool put_answer(Bytes owner, const zone::RRset& rrset) noexcept;
  // Negative answers. With DNSSEC, `node` (the name's node, null when it does not exist)
  // decides the compact-denial NSEC (RFC 9824 §3). `answerable`: types the name answers besides
  // its RRsets (a health-routed name's endpoints); with any, the NSEC is made on demand.
  void put_negative(const zone::Node* node = nullptr, Bytes owner = {},
                    std::span<const std::uint16_t> answerable = {}) noexcept;
  // RRSIGs (already made) after the RRset just written under `owner`; false when they do not fit.
  zone::RdataList rrsigs_for(Bytes owner, const zone::RRset& rrset, std::uint32_t ttl) noexcept;
  bool put_rrsigs(Bytes owner, std::uint16_t counted_type, std::uint32_t ttl,
                  zone::RdataList rrsigs, std::uint16_t& counter) noexcept;
  void put_referral(const zone::Node& cut, const zone::RRset& ns) noexcept;
  void put_additional_for(const zone::Node& node, const zone::RRset& rrset) noexcept;
  void put_glue(const zone::Glue& glue) noexcept;
};

}  // namespace dnsd
