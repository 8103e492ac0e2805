// SectionWriter: the state of answering one question from one zone, and the section writers
// that zone_answer.cc (the RFC 1034 algorithm) and profile_answer.cc (health-routed names)
// share. It writes what it is told; deciding what to write is not its job.
#pragma once

#include <array>

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

  bool put_rrset(Bytes owner, const zone::RRset& rrset, std::uint16_t& counter,
                 std::uint32_t ttl) noexcept;
  bool put_answer(Bytes owner, const zone::RRset& rrset) noexcept;
  void put_negative() noexcept;
  void put_referral(const zone::Node& cut, const zone::RRset& ns) noexcept;
  void put_additional_for(const zone::Node& node, const zone::RRset& rrset) noexcept;
  void put_glue(const zone::Glue& glue) noexcept;
};

}  // namespace dnsd
