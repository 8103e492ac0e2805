// UPDATE message parsing (RFC 2136 §2, §3.1.1). Names in rdata are decompressed for the types
// RFC 3597 §4 lets a sender compress, so records compare and store in one form.
#include "dnsd/update/message.hh"

#include <fmt/format.h>

#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"

namespace dnsd::update {
namespace {

// The rdata helpers copy into `out` when it is given, and only read past the bytes when it is
// null (check(), which must not allocate, walks the same way parse() does).
void append_name(wire::Reader& reader, std::vector<std::uint8_t>* out) {
  wire::WireName name;
  reader.name(name);
  if (out) out->insert(out->end(), name.bytes.begin(), name.bytes.begin() + name.size);
}

void append_bytes(wire::Reader& reader, std::span<const std::uint8_t> packet, std::size_t count,
                  std::vector<std::uint8_t>* out) {
  const std::size_t at = reader.pos();
  reader.skip(count);
  if (reader.ok() && out) out->insert(out->end(), packet.begin() + at, packet.begin() + at + count);
}

// The rdata at the reader's position, `size` bytes, into `out` (if given); false when malformed.
// Decompressed, it never outgrows 65535 bytes: the names in it are at most 255 each.
bool read_rdata(wire::Reader& reader, std::span<const std::uint8_t> packet, std::size_t size,
                std::uint16_t type, std::vector<std::uint8_t>* out) {
  const std::size_t end = reader.pos() + size;
  if (end > packet.size()) return false;
  namespace t = wire::rrtype;
  if (size == 0) return true;  // deletes and prerequisites carry no rdata
  switch (type) {
    case t::ns:
    case t::cname:
    case t::ptr:
      append_name(reader, out);
      break;
    case t::mx:
      append_bytes(reader, packet, 2, out);
      append_name(reader, out);
      break;
    case t::soa:
      append_name(reader, out);
      append_name(reader, out);
      append_bytes(reader, packet, 20, out);
      break;
    default:
      append_bytes(reader, packet, size, out);
  }
  return reader.ok() && reader.pos() == end && (!out || out->size() <= 65535);
}

bool read_record(wire::Reader& reader, std::span<const std::uint8_t> packet, Record* out) {
  wire::WireName owner;
  reader.name(owner);
  const std::uint16_t type = reader.u16();
  const std::uint16_t rrclass = reader.u16();
  const std::uint32_t ttl = reader.u32();
  const std::uint16_t size = reader.u16();
  if (!reader.ok()) return false;
  const auto name = wire::Name::from_wire(owner.wire());
  if (!name) return false;
  if (out) *out = Record{name->lowercased(), type, rrclass, ttl, {}};
  return read_rdata(reader, packet, size, type, out ? &out->rdata : nullptr);
}

// parse() and check() in one walk: records are stored when `out` is given, and `why` is
// written when given (formatting allocates).
std::uint16_t walk(std::span<const std::uint8_t> packet, wire::Header& header, wire::Name& zone,
                   std::uint16_t& zone_class, Message* out, std::string* why) {
  const auto fail = [why]<typename... Args>(fmt::format_string<Args...> format, Args&&... args) {
    if (why) *why = fmt::format(format, std::forward<Args>(args)...);
    return wire::rcode::formerr;
  };
  wire::Reader reader(packet);
  header = reader.header();
  if (!reader.ok()) return fail("shorter than a header");
  // §3.1.1: ZOCOUNT must be 1 and the zone's type SOA.
  if (header.qdcount != 1) return fail("{} zone records, expected 1", header.qdcount);
  if (std::size_t{header.ancount} + header.nscount > max_records)
    return fail("{} records, at most {} taken", header.ancount + header.nscount, max_records);
  wire::WireName zone_wire;
  reader.name(zone_wire);
  const std::uint16_t zone_type = reader.u16();
  zone_class = reader.u16();
  const auto zone_name = reader.ok() ? wire::Name::from_wire(zone_wire.wire()) : std::nullopt;
  if (!zone_name) return fail("malformed zone section");
  zone = zone_name->lowercased();
  if (zone_type != wire::rrtype::soa)
    return fail("zone section of type {}, expected SOA", zone_type);
  const std::pair<std::uint16_t, const char*> sections[] = {{header.ancount, "prerequisite"},
                                                            {header.nscount, "update"}};
  for (std::size_t s = 0; s < 2; ++s) {
    std::vector<Record>* kept = !out ? nullptr : s == 0 ? &out->prerequisites : &out->updates;
    if (kept) kept->reserve(sections[s].first);
    for (std::size_t i = 0; i < sections[s].first; ++i) {
      Record record;
      if (!read_record(reader, packet, kept ? &record : nullptr))
        return fail("malformed {} record {}", sections[s].second, i + 1);
      if (kept) kept->push_back(std::move(record));
    }
  }
  return wire::rcode::noerror;
}

}  // namespace

std::uint16_t parse(std::span<const std::uint8_t> packet, Message& out, std::string& why) {
  return walk(packet, out.header, out.zone, out.zone_class, &out, &why);
}

std::uint16_t check(std::span<const std::uint8_t> packet, wire::Name& zone,
                    std::uint16_t& zone_class) noexcept {
  wire::Header header;
  return walk(packet, header, zone, zone_class, nullptr, nullptr);
}

std::string record_text(const Record& record) {
  const std::string type = wire::type_to_text(record.type);
  std::string text = fmt::format("{} {} ", record.owner.to_text(), record.ttl);
  if (record.rrclass == wire::rrclass::any) text += "ANY ";
  if (record.rrclass == wire::rrclass::none) text += "NONE ";
  text += type;
  if (!record.rdata.empty()) text += " " + wire::rdata_to_text(record.type, record.rdata);
  return text;
}

}  // namespace dnsd::update
