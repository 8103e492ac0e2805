// NOTIFY and SOA-query messages: building them, and checking what comes back (message.hh).
#include "dnsd/notify/message.hh"

#include <fmt/format.h>

#include "dnsd/tsig/record.hh"
#include "dnsd/tsig/sign.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/wire/writer.hh"
#include "dnsd/zone/soa.hh"

namespace dnsd::notify {
namespace {

constexpr std::uint16_t flag_qr = 0x8000, flag_aa = 0x0400;

bool put_header(wire::Writer& writer, std::uint16_t id, std::uint8_t opcode, std::uint16_t flags,
                std::uint16_t ancount) noexcept {
  return writer.put_u16(id) &&
         writer.put_u16(static_cast<std::uint16_t>(flags | (opcode & 0xf) << 11)) &&
         writer.put_u16(1) && writer.put_u16(ancount) && writer.put_u16(0) && writer.put_u16(0);
}

bool put_question(wire::Writer& writer, const wire::Name& zone) noexcept {
  return writer.put_name(zone.wire(), false) && writer.put_u16(wire::rrtype::soa) &&
         writer.put_u16(wire::rrclass::in);
}

bool finish(Request& out, wire::Writer& writer, const tsig::Key* key,
            std::chrono::sys_seconds now) noexcept {
  out.signed_ = key != nullptr;
  if (key && !tsig::sign_request(writer, *key, now, out.mac)) return false;
  out.size = writer.size();
  return true;
}

// The serial of the first SOA owned by `zone` in the answer section; the reader stands after
// the question. SOA rdata may hold compressed names, but its five numbers end it (soa.hh).
std::optional<std::uint32_t> answer_serial(wire::Reader& reader, std::uint16_t ancount,
                                           std::span<const std::uint8_t> message,
                                           const wire::Name& zone) noexcept {
  wire::WireName owner;
  for (std::uint16_t i = 0; i < ancount && reader.ok(); ++i) {
    reader.name(owner);
    const std::uint16_t type = reader.u16();
    reader.u16();  // class
    reader.u32();  // ttl
    const std::uint16_t rdlength = reader.u16();
    const std::size_t at = reader.pos();
    reader.skip(rdlength);
    if (!reader.ok()) return std::nullopt;
    if (type == wire::rrtype::soa && rdlength >= zone::soa::min_rdata_size &&
        wire::names_equal(owner.wire(), zone.wire()))
      return zone::soa::serial(message.subspan(at, rdlength));
  }
  return std::nullopt;
}

}  // namespace

bool build_notify(Request& out, const wire::Name& zone, std::uint32_t serial,
                  std::span<const std::uint8_t> soa_rdata, std::uint32_t soa_ttl, std::uint16_t id,
                  const tsig::Key* key, std::chrono::sys_seconds now) noexcept {
  // Minimal SOA: MNAME ".", RNAME ".", then SERIAL REFRESH RETRY EXPIRE MINIMUM.
  std::array<std::uint8_t, 2 * wire::max_name_size + zone::soa::numbers_size> rdata{};
  std::size_t rdata_size = zone::soa::min_rdata_size;
  if (soa_rdata.size() >= zone::soa::min_rdata_size && soa_rdata.size() <= rdata.size()) {
    std::copy(soa_rdata.begin(), soa_rdata.end(), rdata.begin());
    rdata_size = soa_rdata.size();
  }
  const std::span<std::uint8_t> soa(rdata.data(), rdata_size);
  zone::soa::set_serial(soa, serial);

  out = Request{};
  out.id = id;
  out.opcode = wire::opcode::notify;
  out.zone = zone.lowercased();
  wire::Writer writer(out.bytes, out.bytes.size());
  // RFC 1996 §3.7: QUERY ID random, opcode NOTIFY, AA, QNAME the zone, QTYPE SOA; the answer
  // section may hold the SOA, which "hints" the new serial (§3.11).
  return put_header(writer, id, wire::opcode::notify, flag_aa, 1) &&
         put_question(writer, out.zone) &&
         writer.put_rr(out.zone.wire(), wire::rrtype::soa, wire::rrclass::in, soa_ttl, soa) &&
         finish(out, writer, key, now);
}

bool build_soa_query(Request& out, const wire::Name& zone, std::uint16_t id, const tsig::Key* key,
                     std::chrono::sys_seconds now) noexcept {
  out = Request{};
  out.id = id;
  out.opcode = wire::opcode::query;
  out.zone = zone.lowercased();
  wire::Writer writer(out.bytes, out.bytes.size());
  return put_header(writer, id, wire::opcode::query, 0, 0) && put_question(writer, out.zone) &&
         finish(out, writer, key, now);
}

Answer check_response(std::span<const std::uint8_t> message, const Request& request,
                      const tsig::Key* key, std::chrono::sys_seconds now) noexcept {
  Answer answer;
  wire::Reader reader(message);
  const wire::Header header = reader.header();
  if (!reader.ok() || !(header.flags & flag_qr) || header.id != request.id ||
      header.opcode() != request.opcode)
    return answer;
  answer.rcode = header.flags & 0xf;
  if (header.qdcount > 1) return answer;
  if (header.qdcount == 0 && answer.rcode == wire::rcode::noerror) return answer;
  if (header.qdcount == 1) {  // an error may come without its question (FORMERR, NOTAUTH)
    wire::WireName qname;
    reader.name(qname);
    const std::uint16_t qtype = reader.u16(), qclass = reader.u16();
    if (!reader.ok()) return answer;
    if (qtype != wire::rrtype::soa || qclass != wire::rrclass::in ||
        !wire::names_equal(qname.wire(), request.zone.wire()))
      return answer;
  }
  if (request.signed_ && key) {
    tsig::Record record;
    const tsig::Find found = tsig::find_record(message, record);
    if (found == tsig::Find::none) {
      // An unsigned refusal: say what the server said. An unsigned NOERROR is no ack.
      answer.outcome =
          answer.rcode != wire::rcode::noerror ? Outcome::refused : Outcome::tsig_error;
      return answer;
    }
    tsig::Verifier verifier(*key, request.mac.view());
    answer.tsig = verifier.verify(message, now);
    if (answer.tsig != tsig::Status::ok) {
      answer.outcome = Outcome::tsig_error;
      return answer;
    }
  }
  if (answer.rcode != wire::rcode::noerror) {
    answer.outcome = Outcome::refused;
    return answer;
  }
  answer.serial = answer_serial(reader, header.ancount, message, request.zone);
  answer.outcome = reader.ok() ? Outcome::ok : Outcome::malformed;
  return answer;
}

std::string rcode_text(std::uint16_t rcode) {
  static constexpr const char* names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                          "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                          "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode < std::size(names)) return names[rcode];
  return fmt::format("RCODE{}", rcode);
}

std::string error_text(const Answer& answer) {
  switch (answer.outcome) {
    case Outcome::tsig_error:
      return std::string(tsig::status_text(answer.tsig));
    case Outcome::refused:
      return rcode_text(answer.rcode);
    case Outcome::malformed:
      return "malformed";
    case Outcome::unrelated:
      return "unrelated";
    case Outcome::ok:
      break;
  }
  return "";
}

}  // namespace dnsd::notify
