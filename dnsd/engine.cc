// Answer engine: parses and classifies a query (RFC 1035 §4.1, RFC 6891 EDNS), then frames the
// response: header, question echoed with its case, sections, OPT. Answers come from
// answer_zone.cc; this file decides only which kind of response a query gets.
#include "dnsd/engine.hh"

#include <algorithm>

#include "dnsd/prepared_answer.hh"
#include "dnsd/query.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

constexpr std::uint16_t flag_qr = 0x8000, flag_aa = 0x0400, flag_tc = 0x0200, flag_rd = 0x0100,
                        flag_cd = 0x0010;
constexpr std::size_t opt_rr_size = 11;  // root owner, type, class, ttl, rdlength: no options

// EDNS Client Subnet option as received (RFC 7871 §6); the address is zero-padded.
struct Ecs {
  bool present = false;
  bool malformed = false;
  std::uint16_t family = 0;  // 1 IPv4, 2 IPv6
  std::uint8_t source_prefix = 0;
  std::array<std::uint8_t, 16> address{};
  std::uint8_t address_length = 0;  // bytes as received: ceil(source_prefix / 8)

  // The option as this response echoes it: 4 bytes of header, 4 fixed, the address.
  std::size_t option_size() const noexcept { return present ? 8u + address_length : 0u; }
};

struct Edns {
  bool present = false;
  std::uint16_t udp_payload = 512;
  std::uint8_t version = 0;
  bool dnssec_ok = false;
  Ecs ecs;
};

struct Parsed {
  wire::Header header;
  bool has_question = false;
  Question question;
  Edns edns;
  bool malformed = false;
};

constexpr std::uint16_t option_ecs = 8;

// RFC 7871 §6 and §7.1: a known family, a prefix that fits it, exactly ceil(prefix/8) address
// bytes with the bits past the prefix zero, and SCOPE 0 in a query; anything else is FORMERR.
void read_ecs(wire::Reader& reader, std::uint16_t length, Ecs& ecs) {
  if (ecs.present) ecs.malformed = true;  // one ECS option per query
  ecs.present = true;
  if (length < 4) {
    ecs.malformed = true;
    reader.skip(length);
    return;
  }
  ecs.family = reader.u16();
  ecs.source_prefix = reader.u8();
  const std::uint8_t scope = reader.u8();
  const std::size_t bytes = length - 4u;
  const unsigned max_prefix = ecs.family == 1 ? 32 : ecs.family == 2 ? 128 : 0;
  if (max_prefix == 0 || ecs.source_prefix > max_prefix || scope != 0 ||
      bytes != (ecs.source_prefix + 7u) / 8u) {
    ecs.malformed = true;
    reader.skip(bytes);
    return;
  }
  ecs.address_length = static_cast<std::uint8_t>(bytes);
  for (std::size_t i = 0; i < bytes; ++i) ecs.address[i] = reader.u8();
  const unsigned spare = static_cast<unsigned>(bytes * 8) - ecs.source_prefix;
  if (bytes > 0 && (ecs.address[bytes - 1] & ((1u << spare) - 1)) != 0) ecs.malformed = true;
}

// Reads the OPT record's fixed part and its options (RFC 6891 §6.1.2); only ECS is used.
void read_opt(wire::Reader& reader, const wire::WireName& owner, Parsed& parsed) {
  if (parsed.edns.present || owner.size != 1) {  // a second OPT, or one not owned by the root
    parsed.malformed = true;
  }
  parsed.edns.present = true;
  parsed.edns.udp_payload = reader.u16();
  const std::uint32_t ttl = reader.u32();
  parsed.edns.version = static_cast<std::uint8_t>(ttl >> 16);
  parsed.edns.dnssec_ok = (ttl & 0x8000) != 0;
  std::size_t rdlength = reader.u16();
  while (rdlength >= 4 && reader.ok()) {
    const std::uint16_t code = reader.u16();
    const std::uint16_t length = reader.u16();
    rdlength -= 4;
    if (length > rdlength) break;
    if (code == option_ecs)
      read_ecs(reader, length, parsed.edns.ecs);
    else
      reader.skip(length);
    rdlength -= length;
  }
  if (rdlength != 0) parsed.malformed = true;  // an option that overruns the record
  reader.skip(rdlength);
}

Parsed parse(std::span<const std::uint8_t> query) noexcept {
  Parsed parsed;
  wire::Reader reader(query);
  parsed.header = reader.header();
  if (parsed.header.qdcount == 1) {
    reader.name(parsed.question.qname);
    parsed.question.qtype = reader.u16();
    parsed.question.qclass = reader.u16();
    if (reader.ok()) {
      parsed.has_question = true;
      parsed.question.lowered = wire::Name::from_wire(parsed.question.qname.wire())->lowercased();
    }
  } else {
    for (unsigned i = 0; i < parsed.header.qdcount && reader.ok(); ++i) {
      wire::WireName ignored;
      reader.name(ignored);
      reader.skip(4);
    }
  }
  for (unsigned i = 0; i < parsed.header.ancount + parsed.header.nscount && reader.ok(); ++i)
    reader.skip_rr();
  for (unsigned i = 0; i < parsed.header.arcount && reader.ok(); ++i) {
    wire::WireName owner;
    reader.name(owner);
    const std::uint16_t type = reader.u16();
    if (type == wire::rrtype::opt) {
      read_opt(reader, owner, parsed);
    } else {
      reader.skip(6);
      reader.skip(reader.u16());
    }
  }
  // Counts that overrun the packet, and bytes after the last record, are both malformed.
  if (!reader.ok() || reader.remaining() != 0) parsed.malformed = true;
  return parsed;
}

// CHAOS TXT identity queries (RFC 4892); REFUSED unless the operator configured an answer.
void answer_chaos(const ServerConfig& server, const Question& question, wire::Writer& writer,
                  Sections& sections) noexcept {
  static const auto version_bind = *wire::Name::from_text("version.bind.");
  static const auto version_server = *wire::Name::from_text("version.server.");
  static const auto id_server = *wire::Name::from_text("id.server.");
  static const auto hostname_bind = *wire::Name::from_text("hostname.bind.");
  const std::optional<std::string>* text = nullptr;
  if (question.lowered == version_bind || question.lowered == version_server) text = &server.chaos_version;
  if (question.lowered == id_server || question.lowered == hostname_bind) text = &server.chaos_identity;
  if (!text || !text->has_value() ||
      (question.qtype != wire::rrtype::txt && question.qtype != wire::rrtype::any)) {
    sections.rcode = wire::rcode::refused;
    return;
  }
  std::array<std::uint8_t, 256> rdata{};
  const std::size_t length = std::min<std::size_t>((*text)->size(), 255);
  rdata[0] = static_cast<std::uint8_t>(length);
  std::copy_n((*text)->begin(), length, rdata.begin() + 1);
  sections.aa = true;
  if (writer.put_rr(question.qname.wire(), wire::rrtype::txt, wire::rrclass::ch, 0,
                    std::span(rdata).first(length + 1)))
    sections.answer = 1;
  else
    sections.tc = true;
}

// Chooses the response for a well-formed query with one question.
void dispatch(const ServingState& state, const Parsed& parsed, const Client& client,
              wire::Writer& writer, Sections& sections) noexcept {
  const Question& question = parsed.question;
  const std::uint8_t opcode = parsed.header.opcode();
  if (opcode == wire::opcode::notify || opcode == wire::opcode::update) {
    sections.rcode = wire::rcode::refused;  // no secondaries and no dynamic updates (yet)
    return;
  }
  if (opcode != wire::opcode::query) {
    sections.rcode = wire::rcode::notimp;
    return;
  }
  if (parsed.edns.present && parsed.edns.version != 0) {
    sections.rcode = wire::rcode::badvers;  // RFC 6891 §6.1.3
    return;
  }
  switch (question.qtype) {
    case wire::rrtype::opt:
      sections.rcode = wire::rcode::formerr;  // OPT is a pseudo-record, never a question
      return;
    case wire::rrtype::axfr:
    case wire::rrtype::ixfr:
      sections.rcode = wire::rcode::refused;  // zone transfers are not offered
      return;
    case wire::rrtype::maila:
    case wire::rrtype::mailb:
      sections.rcode = wire::rcode::notimp;
      return;
    default:
      break;
  }
  if (question.qclass == wire::rrclass::ch) {
    answer_chaos(*state.server, question, writer, sections);
    return;
  }
  const zone::Zone* zone =
      question.qclass == wire::rrclass::in ? state.zones->find_enclosing(question.lowered) : nullptr;
  if (!zone) {
    sections.rcode = wire::rcode::refused;  // not authoritative: no recursion here
    return;
  }
  answer_from_zone(state, *zone, question, client, writer, sections);
}

std::size_t response_limit(const ServingState& state, const Parsed& parsed, const Client& client) {
  if (client.transport == Transport::tcp) return 65535;
  if (!parsed.edns.present) return 512;
  // RFC 6891 §6.2.5: payloads below 512 are treated as 512.
  return std::clamp<std::size_t>(parsed.edns.udp_payload, 512, std::max<std::size_t>(512, state.server->udp_payload));
}

// The client as routing sees it: the ECS address when the query carries one (RFC 7871),
// else the source address.
Client routed_client(const Client& client, const Ecs& ecs) noexcept {
  if (!ecs.present || ecs.malformed) return client;
  Client routed = client;
  routed.info.address = ecs.address;
  routed.info.is_ipv6 = ecs.family == 2;
  routed.info.source_prefix = ecs.source_prefix;
  routed.info.has_ecs = true;
  return routed;
}

void put_opt(const ServingState& state, const Parsed& parsed, const Sections& sections,
             wire::Writer& writer) {
  writer.put_u8(0);
  writer.put_u16(wire::rrtype::opt);
  writer.put_u16(state.server->udp_payload);
  const std::uint32_t extended_rcode = static_cast<std::uint32_t>(sections.rcode >> 4) << 24;
  writer.put_u32(extended_rcode | (parsed.edns.dnssec_ok ? 0x8000u : 0u));  // RFC 3225: copy DO
  const Ecs& ecs = parsed.edns.ecs;
  if (!ecs.present || ecs.malformed) {
    writer.put_u16(0);
    return;
  }
  // RFC 7871 §7.2.1: FAMILY, SOURCE PREFIX-LENGTH and ADDRESS echoed; SCOPE says how much of
  // the address the answer depended on.
  writer.put_u16(static_cast<std::uint16_t>(ecs.option_size()));
  writer.put_u16(option_ecs);
  writer.put_u16(static_cast<std::uint16_t>(4 + ecs.address_length));
  writer.put_u16(ecs.family);
  writer.put_u8(ecs.source_prefix);
  writer.put_u8(sections.ecs_scope);
  writer.put_bytes(std::span(ecs.address.data(), ecs.address_length));
}

}  // namespace

Reply answer(const ServingState& state, Scratch& scratch, std::span<const std::uint8_t> query,
             const Client& client) noexcept {
  if (query.size() < wire::header_size) return {};  // not even a header: nothing to answer
  if (auto reply = answer_prepared(state, scratch, query, client)) return *reply;
  const Parsed parsed = parse(query);
  if (parsed.header.qr()) return {};  // a response: answering could start a loop

  const std::size_t limit = response_limit(state, parsed, client);
  wire::Writer writer(scratch.response, limit);
  const bool ecs_ok = parsed.edns.ecs.present && !parsed.edns.ecs.malformed;
  const std::size_t opt_size = parsed.edns.present ? opt_rr_size + (ecs_ok ? parsed.edns.ecs.option_size() : 0) : 0;
  writer.set_limit(limit - opt_size);
  writer.put_bytes(query.first(wire::header_size));  // patched below

  Sections sections;
  const bool echo_question = parsed.has_question && !parsed.malformed;
  if (echo_question) {
    writer.put_name(parsed.question.qname.wire());
    writer.put_u16(parsed.question.qtype);
    writer.put_u16(parsed.question.qclass);
  }
  if (parsed.malformed || parsed.header.qdcount != 1 || parsed.edns.ecs.malformed)
    sections.rcode = wire::rcode::formerr;
  else
    dispatch(state, parsed, routed_client(client, parsed.edns.ecs), writer, sections);

  writer.set_limit(limit);
  if (parsed.edns.present) put_opt(state, parsed, sections, writer);

  std::uint16_t flags = flag_qr | (parsed.header.flags & (0x7800 | flag_rd | flag_cd)) | (sections.rcode & 0xf);
  if (sections.aa) flags |= flag_aa;
  if (sections.tc) flags |= flag_tc;
  writer.patch_u16(2, flags);
  writer.patch_u16(4, echo_question ? 1 : 0);
  writer.patch_u16(6, sections.answer);
  writer.patch_u16(8, sections.authority);
  writer.patch_u16(10, sections.additional + (parsed.edns.present ? 1 : 0));
  return Reply{Reply::Kind::send, sections.rcode, writer.packet()};
}

}  // namespace dnsd
