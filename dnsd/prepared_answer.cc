// The fast path over the prepared answers (prepared.hh). It reads the query in one pass with
// wire::Reader, lower-casing and hashing the name as it goes, and declines (nullopt) whenever
// the general path might answer differently: then the engine asks general_answer.cc. A DO query
// for a signed zone gets a positive block with its RRSIGs written in
// (PreparedAnswers::write_signed).
#include "dnsd/prepared_answer.hh"

#include <algorithm>
#include <cstring>

#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/framing.hh"
#include "dnsd/live_serials.hh"
#include "dnsd/prepared.hh"
#include "dnsd/wire/edns.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

namespace rrtype = wire::rrtype;

std::uint16_t read_u16(const std::uint8_t* at) noexcept {
  return static_cast<std::uint16_t>(at[0] << 8 | at[1]);
}
void write_u16(std::uint8_t* at, std::uint16_t value) noexcept {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

struct PlainQuery {
  std::uint16_t flags = 0;
  wire::LoweredName name;
  std::uint16_t qtype = 0;
  std::size_t question_end = 0;  // header plus question
  wire::Edns edns;
};

// A query with exactly one class IN question of a data type, optionally one OPT without Client
// Subnet (a well-formed COOKIE is answered here too; other options do not change an answer),
// and nothing else; anything less plain is for the general path, which also reports what is
// wrong.
bool read_plain(std::span<const std::uint8_t> query, PlainQuery& out) noexcept {
  wire::Reader reader(query);
  const wire::Header header = reader.header();
  out.flags = header.flags;
  if ((header.flags & (framing::flag_qr | framing::opcode_bits)) || header.qdcount != 1 ||
      header.ancount != 0 || header.nscount != 0 || header.arcount > 1)
    return false;
  reader.lowered_name(out.name);
  const std::uint32_t type_and_class = reader.u32();
  out.qtype = static_cast<std::uint16_t>(type_and_class >> 16);
  if ((type_and_class & 0xffff) != wire::rrclass::in || wire::is_meta_type(out.qtype) ||
      !reader.ok())
    return false;
  out.question_end = reader.pos();
  if (header.arcount == 0) return reader.remaining() == 0;

  if (reader.u8() != 0 || reader.u16() != rrtype::opt) return false;  // the root's OPT only
  wire::read_opt(reader, true, out.edns);
  // EDNS version: BADVERS is the general path's, as is all of Client Subnet.
  return reader.ok() && reader.remaining() == 0 && !out.edns.malformed && out.edns.version == 0 &&
         !out.edns.ecs.present && !out.edns.cookie.malformed;
}

// The signatures to write into `block` for this query: null when it is answered unsigned (no
// DO, or a zone that is not signed). Sets `decline` when only the general path may answer:
// a block with no signed form (negative answers: compact denial), the types DNSSEC itself
// answers, or signatures made for another copy of the zone than the blocks were.
const dnssec::ZoneSignatures* signatures_for(const ServingState& state, const PlainQuery& plain,
                                             const PreparedBlock& block, bool& decline) noexcept {
  if (!plain.edns.dnssec_ok || !state.signatures) return nullptr;
  const dnssec::ZoneSignatures* signatures = state.signatures->find(block.zone);
  if (!signatures) return nullptr;
  decline = !block.signable || plain.qtype == rrtype::rrsig || plain.qtype == rrtype::nsec ||
            block.zone >= state.zones->zones().size() ||
            &signatures->zone() != state.zones->zones()[block.zone].get();
  return signatures;
}

// Header, the question as the client wrote it, the block (with its RRSIGs when signed), and
// OPT: framed as the general path frames (framing.hh).
std::optional<Reply> compose(const ServingState& state, Scratch& scratch,
                             std::span<const std::uint8_t> query, const PlainQuery& plain,
                             const Client& client, const PreparedBlock& block, std::uint8_t rcode,
                             const framing::CookieAnswer& cookie) noexcept {
  const PreparedAnswers& prepared = *state.prepared;
  bool decline = false;
  const dnssec::ZoneSignatures* signatures = signatures_for(state, plain, block, decline);
  if (decline) return std::nullopt;
  const std::size_t opt_size =
      plain.edns.present
          ? wire::opt_rr_size + (cookie.server_span().empty() ? 0 : wire::cookie_answer_size)
          : 0;
  const std::size_t limit = framing::response_limit(state, client, plain.edns);
  if (plain.question_end + opt_size > limit) return std::nullopt;
  std::uint8_t* const out = scratch.response.data();
  std::uint8_t* const body = out + plain.question_end;
  SignedBody written{block.size, {block.answer, block.authority, block.additional}, 0};
  if (signatures) {
    written =
        prepared.write_signed(block, *signatures, {body, limit - plain.question_end - opt_size});
    if (written.size == 0) return std::nullopt;  // truncation is general
  } else {
    if (plain.question_end + block.size + opt_size > limit) return std::nullopt;
    std::memcpy(body, prepared.bytes(block).data(), block.size);
  }
  const std::size_t size = plain.question_end + written.size + opt_size;
  std::memcpy(out, query.data(), plain.question_end);
  framing::write_head(
      out, plain.flags,
      {rcode, block.aa, false, 1, written.counts[0], written.counts[1],
       static_cast<std::uint16_t>(written.counts[2] + (plain.edns.present ? 1 : 0))});
  // A negative block's pointers move to where the apex ends in this question.
  const int shift = static_cast<int>(plain.name.size) - block.qname_size;
  for (std::uint16_t at : prepared.pointers(block)) {
    const int target = (read_u16(body + at) & 0x3fff) + shift;
    if (target < 0 || target >= 0x4000) return std::nullopt;
    write_u16(body + at, static_cast<std::uint16_t>(0xc000 | target));
  }
  if (block.serial_at != PreparedBlock::no_serial && state.serials) {
    const std::uint32_t serial = state.serials->serial(block.zone);
    std::uint8_t* const at = body + block.serial_at + written.serial_shift;
    write_u16(at, static_cast<std::uint16_t>(serial >> 16));
    write_u16(at + 2, static_cast<std::uint16_t>(serial));
  }
  if (plain.edns.present)
    wire::write_opt(body + written.size, state.server->udp_payload, plain.edns, rcode, 0,
                    cookie.server_span());
  return Reply{Reply::Kind::send,
               false,
               cookie.valid,
               false,
               rcode,
               plain.qtype,
               std::span<const std::uint8_t>(out, size)};
}

// The block a name's entry has for the query type, from the profile's pick for a routed name.
const PreparedBlock* choose(const ServingState& state, const PreparedAnswers::Entry& entry,
                            std::uint16_t qtype, const Client& client) noexcept {
  using Default = PreparedAnswers::Default;
  const PreparedAnswers& prepared = *state.prepared;
  const std::size_t typed = entry.block_count - (entry.fallback == Default::own ? 1 : 0);
  for (std::size_t i = 0; i < typed; ++i) {
    const PreparedBlock& block = prepared.block(entry.first_block + static_cast<std::uint32_t>(i));
    if (block.qtype == qtype) return &block;
  }
  const PreparedBlock* fallback = nullptr;
  if (entry.fallback == Default::own)
    fallback = &prepared.block(entry.first_block + static_cast<std::uint32_t>(typed));
  if (entry.fallback == Default::negative) fallback = &prepared.block(entry.negative_block);
  if (entry.kind != PreparedAnswers::Kind::profile) return fallback;

  const routing::Profile& profile = state.model->profiles[entry.profile];
  if (!profile.enabled) return nullptr;  // NXDOMAIN, written by the general path
  const routing::Pick pick =
      routing::pick(profile, *state.health, client.info, framing::want_for(qtype));
  if (pick.count != 1) return nullptr;  // none (the general path writes NODATA) or several
  const std::uint32_t index = prepared.endpoint_block(entry, pick.endpoints[0]);
  if (index == PreparedAnswers::no_block) return nullptr;
  const PreparedBlock& block = prepared.block(index);
  // Any type gets an FQDN endpoint's CNAME; an address endpoint answers its own type only.
  if (block.qtype == rrtype::cname || block.qtype == qtype) return &block;
  return fallback;
}

}  // namespace

std::optional<Reply> answer_prepared(const ServingState& state, Scratch& scratch,
                                     std::span<const std::uint8_t> query,
                                     const Client& client) noexcept {
  if (!state.prepared) return std::nullopt;
  const PreparedAnswers& prepared = *state.prepared;
  PlainQuery plain;
  if (!read_plain(query, plain)) return std::nullopt;
  const framing::CookieAnswer cookie = framing::cookie_answer(*state.server, client, plain.edns);
  if (cookie.kind == framing::CookieAnswer::Kind::badcookie) return std::nullopt;
  const std::span<const std::uint8_t> name = plain.name.wire();

  if (const PreparedAnswers::Entry* entry = prepared.find(name, plain.name.hash)) {
    if (entry->kind == PreparedAnswers::Kind::general) return std::nullopt;
    const PreparedBlock* block = choose(state, *entry, plain.qtype, client);
    if (!block) return std::nullopt;
    return compose(state, scratch, query, plain, client, *block, wire::rcode::noerror, cookie);
  }
  // The name does not exist: its closest encloser decides between NXDOMAIN and the rest.
  for (std::size_t at = 1 + name[0]; at < name.size(); at += 1 + name[at]) {
    const auto suffix = name.subspan(at);
    if (const PreparedAnswers::Entry* encloser = prepared.find(suffix, wire::name_hash(suffix))) {
      if (encloser->kind == PreparedAnswers::Kind::general || !encloser->nxdomain_below)
        return std::nullopt;
      return compose(state, scratch, query, plain, client, prepared.block(encloser->negative_block),
                     wire::rcode::nxdomain, cookie);
    }
  }
  return std::nullopt;  // outside every zone: REFUSED, from the general path
}

}  // namespace dnsd
