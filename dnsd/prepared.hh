// Prepared answers: for every answer that depends only on zone data, the bytes that follow the
// question, encoded once at load by running the general path (general_answer.cc), so that a
// query for them costs a hash lookup, one copy and a header. Covered: each RRset of each name,
// each name's NODATA, each zone's NXDOMAIN, and the answer of each endpoint of a health-routed
// name (the profile's pick is still made per query: health changes take effect at once).
// NODATA and NXDOMAIN share one block per zone, the SOA made for the apex, whose compression
// pointers are moved to wherever the apex ends up in the question.
// Everything else (wildcards, CNAME chains, referrals, truncation, ANY, EDNS options) takes the
// general path; see prepared_answer.cc for the exact conditions.
// In a signed zone a positive block also says where the RRSIGs of its RRsets go for a DO query
// (PreparedRrsigs); the signatures themselves are read from the current ZoneSignatures, which
// re-signing replaces, so no block holds one (PreparedAnswers::write_signed,
// prepared_signed.cc).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dnsd/wire/name_index.hh"
#include "dnsd/zone/node.hh"
#include "routing/model.hh"

namespace dnsd {

struct ServingState;
namespace dnssec {
class ZoneSignatures;
}

struct PreparedBlock {
  std::uint16_t qtype = 0;
  std::uint16_t answer = 0, authority = 0, additional = 0;
  std::uint8_t rcode = 0;
  bool aa = false;
  std::uint8_t qname_size = 0;  // the length of the question name it was made for
  std::uint32_t offset = 0;     // into the byte arena
  std::uint16_t size = 0;
  // Compression pointers that must move with the question's length (negative blocks only).
  std::uint32_t first_pointer = 0;
  std::uint16_t pointer_count = 0;
  // Where the SOA's serial is in the block (no_serial: it holds no SOA), and the zone whose
  // live serial goes there (dnsd/live_serials.hh).
  static constexpr std::uint16_t no_serial = 0xffff;
  std::uint16_t serial_at = no_serial;
  std::uint32_t zone = 0;
  // Signed zones, DO queries: the runs of RRSIGs written into the block, and whether the block
  // may be served signed at all (false: negative answers, or a block whose signed form the
  // builder could not reproduce byte for byte; the general path answers those).
  std::uint32_t first_rrsigs = 0;
  std::uint16_t rrsigs_count = 0;
  bool signable = false;
};

// One run of RRSIG records, written before byte `at` of its block: one record per signature
// the current ZoneSignatures holds for the RRset (or the endpoint's record) just before.
struct PreparedRrsigs {
  const zone::RRset* rrset = nullptr;  // the signed RRset; null: the endpoint's record
  const zone::Node* node = nullptr;    // the health-routed node, with `endpoint`
  std::uint32_t endpoint = 0;
  std::uint32_t head_offset = 0;  // into the arena: the owner as the general path writes it
  std::uint8_t head_size = 0;     // (usually a pointer), TYPE RRSIG, CLASS IN and TTL
  std::uint8_t section = 0;       // 0 answer, 1 authority, 2 additional
  std::uint16_t at = 0;
};

// What PreparedAnswers::write_signed wrote.
struct SignedBody {
  std::size_t size = 0;                   // 0: it does not fit
  std::array<std::uint16_t, 3> counts{};  // answer, authority, additional
  std::size_t serial_shift = 0;           // how far the block's SOA serial moved
};

class PreparedAnswers {
 public:
  enum class Kind : std::uint8_t {
    general,  // answered by the general path (zone cuts, glue, nodes without blocks)
    static_node,
    profile,
  };

  // What answers the types a name has no block of its own for.
  enum class Default : std::uint8_t {
    none,      // the general path (a CNAME into the zone, or a type left unprepared)
    own,       // the last of its blocks (the CNAME of a name whose target lies outside the zone)
    negative,  // its zone's negative block: NODATA
  };

  // One owner name of a served zone (the deepest zone's, where zones nest).
  struct Entry {
    std::uint32_t name_offset = 0;
    std::uint8_t name_size = 0;
    Kind kind = Kind::general;
    Default fallback = Default::none;
    bool nxdomain_below = false;  // a missing name below it is NXDOMAIN, from the negative block
    std::uint32_t first_block = 0;
    std::uint16_t block_count = 0;     // the default block, when own, included
    std::uint32_t negative_block = 0;  // its zone's SOA-in-authority block
    // kind == profile: the profile, and per endpoint the index of its answer block (or none).
    routing::ProfileId profile = 0;
    std::uint32_t first_endpoint = 0;
  };
  static constexpr std::uint32_t no_block = 0xffffffff;

  // Encodes every prepared answer by asking `general` (a state without prepared answers).
  static std::unique_ptr<PreparedAnswers> build(const ServingState& general);

  // The entry of exactly this lower-cased owner name (`hash` is its wire::name_hash), or null.
  const Entry* find(std::span<const std::uint8_t> lowered, std::uint64_t hash) const noexcept {
    const std::uint32_t at =
        index_.find(lowered, hash, [this](std::uint32_t i) { return name_of(i); });
    return at == wire::NameIndex::npos ? nullptr : &entries_[at];
  }

  const PreparedBlock& block(std::uint32_t index) const noexcept { return blocks_[index]; }
  std::uint32_t endpoint_block(const Entry& entry, std::size_t endpoint) const noexcept {
    return endpoint_blocks_[entry.first_endpoint + endpoint];
  }
  std::span<const std::uint8_t> bytes(const PreparedBlock& block) const noexcept {
    return {bytes_.data() + block.offset, block.size};
  }
  std::span<const std::uint16_t> pointers(const PreparedBlock& block) const noexcept {
    return {pointers_.data() + block.first_pointer, block.pointer_count};
  }
  std::span<const PreparedRrsigs> rrsigs(const PreparedBlock& block) const noexcept {
    return {rrsigs_.data() + block.first_rrsigs, block.rrsigs_count};
  }
  std::span<const std::uint8_t> head(const PreparedRrsigs& run) const noexcept {
    return {bytes_.data() + run.head_offset, run.head_size};
  }
  // Writes `block` into `out` with its RRSIG runs filled from `signatures` (the zone's current
  // ones). No allocation, no lock; the signatures are read, never made.
  SignedBody write_signed(const PreparedBlock& block, const dnssec::ZoneSignatures& signatures,
                          std::span<std::uint8_t> out) const noexcept;
  std::size_t entry_count() const noexcept { return entries_.size(); }
  std::size_t block_count() const noexcept { return blocks_.size(); }
  std::size_t byte_count() const noexcept { return bytes_.size(); }

 private:
  friend class PreparedBuilder;
  std::span<const std::uint8_t> name_of(std::uint32_t entry) const noexcept {
    return {bytes_.data() + entries_[entry].name_offset, entries_[entry].name_size};
  }
  std::vector<std::uint8_t> bytes_;  // owner names and encoded blocks
  std::vector<PreparedBlock> blocks_;
  std::vector<std::uint16_t> pointers_;  // positions within their block
  std::vector<PreparedRrsigs> rrsigs_;
  std::vector<std::uint32_t> endpoint_blocks_;
  std::vector<Entry> entries_;
  wire::NameIndex index_;  // owner name -> entry position
};

}  // namespace dnsd
