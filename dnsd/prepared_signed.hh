// Signed prepared answers: a block of a signed zone written with the RRSIG runs it records
// (PreparedRrsigs) filled from the zone's current signatures, and the builder's side, which
// finds those runs in what the general path writes for a DO query. Writing allocates nothing
// and takes no lock; the signatures are read, never made, here.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/prepared.hh"

namespace dnsd {

struct SignedBody {
  std::size_t size = 0;                   // 0: it does not fit
  std::array<std::uint16_t, 3> counts{};  // answer, authority, additional
  std::size_t serial_shift = 0;           // how far the block's SOA serial moved
};

// Writes `block` with its RRSIG runs from `signatures` into `out`.
SignedBody write_signed_block(const PreparedAnswers& prepared, const PreparedBlock& block,
                              const dnssec::ZoneSignatures& signatures,
                              std::span<std::uint8_t> out) noexcept;

// A run found in a signed response, before the builder files it.
struct FoundRrsigs {
  PreparedRrsigs run;  // head_offset unset
  std::vector<std::uint8_t> head;
};

// Which signatures a run holds: from the owner (lower-cased, uncompressed) and the type its
// RRSIGs cover, sets `run.rrset` or `run.node` and `run.endpoint`; false when it cannot tell.
using RrsigSource = std::function<bool(std::span<const std::uint8_t> owner, std::uint16_t covered,
                                       PreparedRrsigs& run)>;

// Compares `block` (what follows the question in the unsigned response) with the records of
// `signed_response` from `start` on (`records` of them, by section in `counts`) and returns its
// RRSIG runs; false when the signed response is not the block with RRSIG runs added.
bool find_rrsig_runs(std::span<const std::uint8_t> block,
                     std::span<const std::uint8_t> signed_response, std::size_t start,
                     std::array<std::uint16_t, 3> counts, const RrsigSource& source,
                     std::vector<FoundRrsigs>& out);

}  // namespace dnsd
