// Signed prepared answers (see prepared_signed.hh). The RRSIG records of a run are written as
// the general path's SectionWriter::put_rrsigs writes them: the owner as it was written there,
// RRSIG, IN, the RRset's TTL, then each signature's rdata as it is (RFC 4034 §3.1: no name in
// an RRSIG's rdata is compressed).
#include "dnsd/prepared_signed.hh"

#include <cstring>

#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

void write_u16(std::uint8_t* at, std::size_t value) noexcept {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

}  // namespace

SignedBody write_signed_block(const PreparedAnswers& prepared, const PreparedBlock& block,
                              const dnssec::ZoneSignatures& signatures,
                              std::span<std::uint8_t> out) noexcept {
  SignedBody body{0, {block.answer, block.authority, block.additional}, 0};
  const std::span<const std::uint8_t> bytes = prepared.bytes(block);
  std::size_t from = 0, size = 0;
  const auto copy = [&](std::span<const std::uint8_t> part) noexcept {
    if (size + part.size() > out.size()) return false;
    std::memcpy(out.data() + size, part.data(), part.size());
    size += part.size();
    return true;
  };
  for (const PreparedRrsigs& run : prepared.rrsigs(block)) {
    if (!copy(bytes.subspan(from, run.at - from))) return {};
    from = run.at;
    const zone::RdataList rrsigs = run.rrset ? signatures.rrsigs(*run.rrset)
                                             : signatures.endpoint_rrsigs(*run.node, run.endpoint);
    const std::size_t before = size;
    for (const auto rdata : rrsigs) {
      if (!copy(prepared.head(run)) || size + 2 > out.size()) return {};
      write_u16(out.data() + size, rdata.size());
      size += 2;
      if (!copy(rdata)) return {};
    }
    body.counts[run.section] = static_cast<std::uint16_t>(body.counts[run.section] + rrsigs.size());
    if (block.serial_at != PreparedBlock::no_serial && run.at <= block.serial_at)
      body.serial_shift += size - before;
  }
  if (!copy(bytes.subspan(from))) return {};
  body.size = size;
  return body;
}

bool find_rrsig_runs(std::span<const std::uint8_t> block,
                     std::span<const std::uint8_t> signed_response, std::size_t start,
                     std::array<std::uint16_t, 3> counts, const RrsigSource& source,
                     std::vector<FoundRrsigs>& out) {
  wire::Reader reader(signed_response);
  reader.skip(start);
  std::size_t at = 0;  // in `block`, where the next record not an RRSIG must be
  bool in_run = false;
  std::size_t section = 0, left = counts[0];
  while (reader.ok()) {
    while (left == 0 && section < 2) left = counts[++section];
    if (left == 0) break;
    --left;
    const std::size_t record = reader.pos();
    wire::WireName owner;
    reader.name(owner);
    const std::size_t owner_end = reader.pos();
    const std::uint16_t type = reader.u16();
    reader.skip(6);  // class, ttl
    const std::size_t rdlength = reader.u16();
    const std::size_t rdata = reader.pos();
    reader.skip(rdlength);
    if (!reader.ok()) return false;
    if (type != wire::rrtype::rrsig) {
      const auto bytes = signed_response.subspan(record, reader.pos() - record);
      if (at + bytes.size() > block.size() ||
          std::memcmp(block.data() + at, bytes.data(), bytes.size()) != 0)
        return false;
      at += bytes.size();
      in_run = false;
      continue;
    }
    const auto head = signed_response.subspan(record, owner_end + 8 - record);
    if (in_run && out.back().run.section == section &&
        std::equal(head.begin(), head.end(), out.back().head.begin(), out.back().head.end()))
      continue;  // the next signature of the same run
    if (rdlength < 2 || head.size() > 255 || at > 0xffff) return false;
    FoundRrsigs found;
    found.run.at = static_cast<std::uint16_t>(at);
    found.run.section = static_cast<std::uint8_t>(section);
    found.head.assign(head.begin(), head.end());
    std::array<std::uint8_t, wire::max_name_size> lowered;
    const std::uint16_t covered =
        static_cast<std::uint16_t>(signed_response[rdata] << 8 | signed_response[rdata + 1]);
    if (!source(wire::lower_into(owner.wire(), lowered), covered, found.run)) return false;
    out.push_back(std::move(found));
    in_run = true;
  }
  return reader.ok() && at == block.size();
}

}  // namespace dnsd
