// Signed prepared answers: PreparedAnswers::write_signed (prepared.hh). The RRSIG records of a
// run are written as the general path's SectionWriter::put_rrsigs writes them: the owner as it
// was written there, RRSIG, IN, the RRset's TTL, then each signature's rdata as it is
// (RFC 4034 §3.1: no name in an RRSIG's rdata is compressed).
#include <cstring>

#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/prepared.hh"

namespace dnsd {
namespace {

void write_u16(std::uint8_t* at, std::size_t value) noexcept {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

}  // namespace

SignedBody PreparedAnswers::write_signed(const PreparedBlock& block,
                                         const dnssec::ZoneSignatures& signatures,
                                         std::span<std::uint8_t> out) const noexcept {
  SignedBody body{0, {block.answer, block.authority, block.additional}, 0};
  const std::span<const std::uint8_t> block_bytes = bytes(block);
  std::size_t from = 0, size = 0;
  const auto copy = [&](std::span<const std::uint8_t> part) noexcept {
    if (size + part.size() > out.size()) return false;
    std::memcpy(out.data() + size, part.data(), part.size());
    size += part.size();
    return true;
  };
  for (const PreparedRrsigs& run : rrsigs(block)) {
    if (!copy(block_bytes.subspan(from, run.at - from))) return {};
    from = run.at;
    const zone::RdataList rrsigs = run.rrset ? signatures.rrsigs(*run.rrset)
                                             : signatures.endpoint_rrsigs(*run.node, run.endpoint);
    const std::size_t before = size;
    for (const auto rdata : rrsigs) {
      if (!copy(head(run)) || size + 2 > out.size()) return {};
      write_u16(out.data() + size, rdata.size());
      size += 2;
      if (!copy(rdata)) return {};
    }
    body.counts[run.section] = static_cast<std::uint16_t>(body.counts[run.section] + rrsigs.size());
    if (block.serial_at != PreparedBlock::no_serial && run.at <= block.serial_at)
      body.serial_shift += size - before;
  }
  if (!copy(block_bytes.subspan(from))) return {};
  body.size = size;
  return body;
}

}  // namespace dnsd
