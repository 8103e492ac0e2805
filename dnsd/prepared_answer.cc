// The fast path over the prepared answers (prepared.hh). It reads the query in one pass,
// lower-casing and hashing the name as it goes, and declines (nullopt) whenever the general
// path might answer differently: then engine.cc parses the query again and answers it.
#include "dnsd/prepared_answer.hh"

#include <algorithm>
#include <cstring>

#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

namespace rrtype = wire::rrtype;
constexpr std::uint16_t flag_qr = 0x8000, flag_aa = 0x0400, flag_rd = 0x0100, flag_cd = 0x0010,
                        opcode_bits = 0x7800;
constexpr std::uint16_t option_client_subnet = 8;  // RFC 7871: answers may depend on it
constexpr std::size_t opt_rr_size = 11;

std::uint16_t read_u16(const std::uint8_t* at) noexcept { return static_cast<std::uint16_t>(at[0] << 8 | at[1]); }
void write_u16(std::uint8_t* at, std::uint16_t value) noexcept {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

struct PlainQuery {
  std::array<std::uint8_t, wire::max_name_size> lowered;
  std::size_t name_size = 0;
  std::uint64_t hash = 0;
  std::uint16_t qtype = 0;
  std::size_t question_end = 0;  // header plus question
  bool edns = false;
  std::uint16_t udp_payload = 0;
  bool dnssec_ok = false;
};

// EDNS options other than Client Subnet do not change an answer: skip them, checking the framing.
bool options_allow_prepared(const std::uint8_t* at, const std::uint8_t* end) noexcept {
  while (at < end) {
    if (end - at < 4) return false;
    const std::uint16_t code = read_u16(at), length = read_u16(at + 2);
    if (code == option_client_subnet || end - at - 4 < length) return false;
    at += 4 + length;
  }
  return true;
}

// A query with exactly one class IN question of a data type, optionally one OPT, and nothing
// else; anything less plain is for the general path, which also reports what is wrong.
bool read_plain(std::span<const std::uint8_t> query, PlainQuery& out) noexcept {
  const std::uint8_t* const data = query.data();
  const std::size_t size = query.size();
  if (size < wire::header_size + 5) return false;
  const std::uint16_t flags = read_u16(data + 2);
  if ((flags & flag_qr) || (flags & opcode_bits)) return false;
  if (read_u16(data + 4) != 1 || read_u16(data + 6) != 0 || read_u16(data + 8) != 0) return false;
  const std::uint16_t arcount = read_u16(data + 10);
  if (arcount > 1) return false;

  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, as PreparedAnswers::hash
  std::size_t at = wire::header_size, out_at = 0;
  for (;;) {
    const std::uint8_t length = data[at];
    if (length > wire::max_label_size || at + 1 + length >= size || out_at + 1 + length >= wire::max_name_size)
      return false;  // compression pointers, overruns and over-long names included
    out.lowered[out_at++] = length;
    hash = (hash ^ length) * 1099511628211ull;
    if (length == 0) break;
    for (std::size_t i = 1; i <= length; ++i) {
      const std::uint8_t c = wire::ascii_lower(data[at + i]);
      out.lowered[out_at++] = c;
      hash = (hash ^ c) * 1099511628211ull;
    }
    at += 1 + length;
  }
  out.name_size = out_at;
  out.hash = hash;
  at += 1;
  if (at + 4 > size) return false;
  out.qtype = read_u16(data + at);
  if (read_u16(data + at + 2) != wire::rrclass::in || wire::is_meta_type(out.qtype)) return false;
  at += 4;
  out.question_end = at;
  if (arcount == 0) return at == size;

  if (size - at < opt_rr_size || data[at] != 0 || read_u16(data + at + 1) != rrtype::opt) return false;
  if (data[at + 6] != 0) return false;  // EDNS version: BADVERS is the general path's
  out.edns = true;
  out.udp_payload = read_u16(data + at + 3);
  out.dnssec_ok = (data[at + 7] & 0x80) != 0;
  const std::size_t rdlength = read_u16(data + at + 9);
  at += opt_rr_size;
  return size - at == rdlength && options_allow_prepared(data + at, data + size);
}

std::size_t response_limit(const ServingState& state, const PlainQuery& plain, const Client& client) noexcept {
  if (client.transport == Transport::tcp) return 65535;
  if (!plain.edns) return 512;
  return std::clamp<std::size_t>(plain.udp_payload, 512, std::max<std::size_t>(512, state.server->udp_payload));
}

// Header, the question as the client wrote it, the block, and OPT: what engine.cc would frame.
std::optional<Reply> compose(const ServingState& state, Scratch& scratch, std::span<const std::uint8_t> query,
                             const PlainQuery& plain, const Client& client, const PreparedBlock& block,
                             std::uint8_t rcode) noexcept {
  const PreparedAnswers& prepared = *state.prepared;
  const std::size_t size = plain.question_end + block.size + (plain.edns ? opt_rr_size : 0);
  if (size > response_limit(state, plain, client)) return std::nullopt;  // truncation is general
  std::uint8_t* const out = scratch.response.data();
  std::memcpy(out, query.data(), plain.question_end);
  const std::uint16_t flags = flag_qr | (read_u16(query.data() + 2) & (opcode_bits | flag_rd | flag_cd)) |
                              rcode | (block.aa ? flag_aa : 0);
  write_u16(out + 2, flags);
  write_u16(out + 6, block.answer);
  write_u16(out + 8, block.authority);
  write_u16(out + 10, static_cast<std::uint16_t>(block.additional + (plain.edns ? 1 : 0)));
  std::uint8_t* const body = out + plain.question_end;
  std::memcpy(body, prepared.bytes(block).data(), block.size);
  // A negative block's pointers move to where the apex ends in this question.
  const int shift = static_cast<int>(plain.name_size) - block.qname_size;
  for (std::uint16_t at : prepared.pointers(block)) {
    const int target = (read_u16(body + at) & 0x3fff) + shift;
    if (target < 0 || target >= 0x4000) return std::nullopt;
    write_u16(body + at, static_cast<std::uint16_t>(0xc000 | target));
  }
  if (plain.edns) {
    std::uint8_t* opt = body + block.size;
    opt[0] = 0;
    write_u16(opt + 1, rrtype::opt);
    write_u16(opt + 3, state.server->udp_payload);
    write_u16(opt + 5, 0);  // extended rcode and version 0
    write_u16(opt + 7, plain.dnssec_ok ? 0x8000 : 0);  // RFC 3225: DO is copied
    write_u16(opt + 9, 0);
  }
  return Reply{Reply::Kind::send, rcode, std::span<const std::uint8_t>(out, size)};
}

// The block a name's entry has for the query type, from the profile's pick for a routed name.
const PreparedBlock* choose(const ServingState& state, const PreparedAnswers::Entry& entry, std::uint16_t qtype,
                            const Client& client) noexcept {
  using Default = PreparedAnswers::Default;
  const PreparedAnswers& prepared = *state.prepared;
  const std::size_t typed = entry.block_count - (entry.fallback == Default::own ? 1 : 0);
  for (std::size_t i = 0; i < typed; ++i) {
    const PreparedBlock& block = prepared.block(entry.first_block + static_cast<std::uint32_t>(i));
    if (block.qtype == qtype) return &block;
  }
  const PreparedBlock* fallback = nullptr;
  if (entry.fallback == Default::own) fallback = &prepared.block(entry.first_block + static_cast<std::uint32_t>(typed));
  if (entry.fallback == Default::negative) fallback = &prepared.block(entry.negative_block);
  if (entry.kind != PreparedAnswers::Kind::profile) return fallback;

  const routing::Profile& profile = state.model->profiles[entry.profile];
  if (!profile.enabled) return nullptr;  // NXDOMAIN, written by the general path
  const routing::Want want = qtype == rrtype::a      ? routing::Want::ipv4
                             : qtype == rrtype::aaaa ? routing::Want::ipv6
                                                     : routing::Want::any;
  const routing::Pick pick = routing::pick(profile, *state.health, client.info, want);
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
                                     std::span<const std::uint8_t> query, const Client& client) noexcept {
  if (!state.prepared) return std::nullopt;
  const PreparedAnswers& prepared = *state.prepared;
  PlainQuery plain;
  if (!read_plain(query, plain)) return std::nullopt;
  const std::span<const std::uint8_t> name(plain.lowered.data(), plain.name_size);

  if (const PreparedAnswers::Entry* entry = prepared.find(name, plain.hash)) {
    if (entry->kind == PreparedAnswers::Kind::general) return std::nullopt;
    const PreparedBlock* block = choose(state, *entry, plain.qtype, client);
    if (!block) return std::nullopt;
    return compose(state, scratch, query, plain, client, *block, wire::rcode::noerror);
  }
  // The name does not exist: its closest encloser decides between NXDOMAIN and the rest.
  for (std::size_t at = 1 + name[0]; at < name.size(); at += 1 + name[at]) {
    const auto suffix = name.subspan(at);
    if (const PreparedAnswers::Entry* encloser = prepared.find(suffix, PreparedAnswers::hash(suffix))) {
      if (encloser->kind == PreparedAnswers::Kind::general || !encloser->nxdomain_below) return std::nullopt;
      return compose(state, scratch, query, plain, client, prepared.block(encloser->negative_block),
                     wire::rcode::nxdomain);
    }
  }
  return std::nullopt;  // outside every zone: REFUSED, from the general path
}

}  // namespace dnsd
