// The general path: parses the whole query (RFC 1035 §4.1, RFC 6891 EDNS), classifies it, and
// frames the response: header, question echoed with its case, sections, OPT. The sections of a
// class IN question come from zone_answer.cc; this file decides which kind of response it gets.
#include "dnsd/general_answer.hh"

#include <algorithm>

#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/framing.hh"
#include "dnsd/query.hh"
#include "dnsd/wire/edns.hh"
#include "dnsd/wire/types.hh"

namespace dnsd {
namespace {

struct Parsed {
  wire::Header header;
  bool has_question = false;
  Question question;
  wire::Edns edns;
  bool malformed = false;
};

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
  bool opt_misplaced = false;  // RFC 6891 §6.1.1: OPT belongs in the additional section only
  for (unsigned i = 0; i < parsed.header.ancount + parsed.header.nscount && reader.ok(); ++i) {
    wire::WireName owner;
    reader.name(owner);
    if (reader.u16() == wire::rrtype::opt) opt_misplaced = true;
    reader.skip(6);
    reader.skip(reader.u16());
  }
  for (unsigned i = 0; i < parsed.header.arcount && reader.ok(); ++i) {
    wire::WireName owner;
    reader.name(owner);
    const std::uint16_t type = reader.u16();
    if (type == wire::rrtype::opt) {
      wire::read_opt(reader, owner.size == 1, parsed.edns);
    } else {
      reader.skip(6);
      reader.skip(reader.u16());
    }
  }
  parsed.question.dnssec_ok = parsed.edns.present && parsed.edns.dnssec_ok;
  parsed.question.compact_ok = parsed.question.dnssec_ok && parsed.edns.compact_ok;
  // Counts that overrun the packet, and bytes after the last record, are both malformed.
  if (!reader.ok() || reader.remaining() != 0 || parsed.edns.malformed || opt_misplaced)
    parsed.malformed = true;
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
  if (question.lowered == version_bind || question.lowered == version_server)
    text = &server.chaos_version;
  if (question.lowered == id_server || question.lowered == hostname_bind)
    text = &server.chaos_identity;
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
    case 0:
      sections.rcode = wire::rcode::notimp;  // RFC 6895 §3.1 reserves type 0; Knot: NOTIMP
      return;
    case wire::rrtype::axfr:
      // RFC 5936 §4.2: AXFR is a TCP exchange; over UDP NOTIMP, as Knot DNS answers it. Over
      // TCP the server hands transfers to the transfer thread; what reaches here is REFUSED.
      sections.rcode =
          client.transport == Transport::udp ? wire::rcode::notimp : wire::rcode::refused;
      return;
    case wire::rrtype::ixfr:
      sections.rcode = wire::rcode::refused;  // transfers are the transfer thread's (TCP)
      return;
    default:
      // Every other type, meta (OPT, TKEY, TSIG, 128-255) and obsolete (MAILA, MAILB) ones
      // included, is looked up: no zone stores them, so the name has no data of that type
      // (NODATA or NXDOMAIN), as Knot answers.
      break;
  }
  if (question.qclass == wire::rrclass::ch) {
    answer_chaos(*state.server, question, writer, sections);
    return;
  }
  // QCLASS * matches every class (RFC 1035 §3.2.5): our zones are all class IN.
  const bool class_in =
      question.qclass == wire::rrclass::in || question.qclass == wire::rrclass::any;
  const zone::Zone* zone = class_in ? state.zones->find_enclosing(question.lowered) : nullptr;
  if (!zone) {
    sections.rcode = wire::rcode::refused;  // not authoritative: no recursion here
    return;
  }
  if (question.qtype == dnssec::type_nxname && state.signatures &&
      state.signatures->find(zone->index())) {
    sections.rcode = wire::rcode::formerr;  // RFC 9824 §3.2: NXNAME is never asked for
    return;
  }
  answer_from_zone(state, *zone, question, client, writer, sections);
}

// The client as routing sees it: the ECS address when the query carries one (RFC 7871),
// else the source address.
Client routed_client(const Client& client, const wire::Ecs& ecs) noexcept {
  if (!ecs.usable()) return client;
  Client routed = client;
  routed.info.address = ecs.address;
  routed.info.is_ipv6 = ecs.family == 2;
  routed.info.source_prefix = ecs.source_prefix;
  routed.info.has_ecs = true;
  return routed;
}

}  // namespace

Reply answer_general(const ServingState& state, Scratch& scratch,
                     std::span<const std::uint8_t> query, const Client& client) noexcept {
  if (query.size() < wire::header_size) return {};  // not even a header: nothing to answer
  const Parsed parsed = parse(query);
  if (parsed.header.qr()) return {};  // a response: answering could start a loop

  const wire::Edns& edns = parsed.edns;
  const std::size_t limit = framing::response_limit(state, client, edns);
  wire::Writer writer(scratch.response, limit);
  writer.set_limit(limit - (edns.present ? wire::opt_size(edns) : 0));  // OPT always fits
  writer.put_bytes(query.first(wire::header_size));                     // patched below

  Sections sections;
  // A FORMERR echoes the question too when it could be read (as Knot does).
  const bool echo_question = parsed.has_question;
  if (echo_question) {
    writer.put_name(parsed.question.qname.wire());
    writer.put_u16(parsed.question.qtype);
    writer.put_u16(parsed.question.qclass);
  }
  const bool formerr =
      parsed.malformed || parsed.header.qdcount != 1 || edns.ecs.malformed || edns.cookie.malformed;
  framing::CookieAnswer cookie;
  if (formerr) {
    sections.rcode = wire::rcode::formerr;  // RFC 7873 §5.2.2 for a malformed COOKIE too
  } else {
    cookie = framing::cookie_answer(*state.server, client, edns);
    if (cookie.kind == framing::CookieAnswer::Kind::badcookie)
      sections.rcode = wire::rcode::badcookie;
    else
      dispatch(state, parsed, routed_client(client, edns.ecs), writer, sections);
  }

  // An OPT that is itself malformed (a second one, not the root's, options overrunning it) is
  // not answered with one: nothing in it can be trusted, Knot leaves it out too.
  const bool with_opt = edns.present && !edns.malformed;
  writer.set_limit(limit);
  if (with_opt) {
    std::array<std::uint8_t, wire::max_opt_size> opt;
    const std::size_t size =
        wire::write_opt(opt.data(), state.server->udp_payload, edns, sections.rcode,
                        sections.ecs_scope, cookie.server_span());
    writer.put_bytes(std::span(opt.data(), size));
  }
  const std::size_t size = writer.size();
  framing::write_head(
      scratch.response.data(), parsed.header.flags,
      {sections.rcode, sections.aa, sections.tc, static_cast<std::uint16_t>(echo_question ? 1 : 0),
       sections.answer, sections.authority,
       static_cast<std::uint16_t>(sections.additional + (with_opt ? 1 : 0))});
  return Reply{Reply::Kind::send,
               sections.tc,
               cookie.valid,
               sections.wildcard,
               sections.rcode,
               echo_question ? parsed.question.qtype : Reply::no_qtype,
               std::span(scratch.response.data(), size)};
}

}  // namespace dnsd
