// UPDATE message parsing (RFC 2136 §2, §3.1.1). Names in rdata are decompressed for the types
// RFC 3597 §4 lets a sender compress, so records compare and store in one form.
#include "dnsd/update/message.hh"

#include <fmt/format.h>

#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"

namespace dnsd::update {
namespace {

void append_name(wire::Reader& reader, std::vector<std::uint8_t>& out) {
  wire::WireName name;
  reader.name(name);
  out.insert(out.end(), name.bytes.begin(), name.bytes.begin() + name.size);
}

void append_bytes(wire::Reader& reader, std::span<const std::uint8_t> packet, std::size_t count,
                  std::vector<std::uint8_t>& out) {
  const std::size_t at = reader.pos();
  reader.skip(count);
  if (reader.ok()) out.insert(out.end(), packet.begin() + at, packet.begin() + at + count);
}

// The rdata at the reader's position, `size` bytes, into out.rdata; false when malformed.
bool read_rdata(wire::Reader& reader, std::span<const std::uint8_t> packet, std::size_t size,
                Record& out) {
  const std::size_t end = reader.pos() + size;
  if (end > packet.size()) return false;
  namespace t = wire::rrtype;
  if (size == 0) return true;  // deletes and prerequisites carry no rdata
  switch (out.type) {
    case t::ns:
    case t::cname:
    case t::ptr:
      append_name(reader, out.rdata);
      break;
    case t::mx:
      append_bytes(reader, packet, 2, out.rdata);
      append_name(reader, out.rdata);
      break;
    case t::soa:
      append_name(reader, out.rdata);
      append_name(reader, out.rdata);
      append_bytes(reader, packet, 20, out.rdata);
      break;
    default:
      append_bytes(reader, packet, size, out.rdata);
  }
  return reader.ok() && reader.pos() == end && out.rdata.size() <= 65535;
}

bool read_record(wire::Reader& reader, std::span<const std::uint8_t> packet, Record& out) {
  wire::WireName owner;
  reader.name(owner);
  out.type = reader.u16();
  out.rrclass = reader.u16();
  out.ttl = reader.u32();
  const std::uint16_t size = reader.u16();
  if (!reader.ok()) return false;
  const auto name = wire::Name::from_wire(owner.wire());
  if (!name) return false;
  out.owner = name->lowercased();
  return read_rdata(reader, packet, size, out);
}

}  // namespace

std::uint16_t parse(std::span<const std::uint8_t> packet, Message& out, std::string& why) {
  wire::Reader reader(packet);
  out.header = reader.header();
  if (!reader.ok()) {
    why = "shorter than a header";
    return wire::rcode::formerr;
  }
  // §3.1.1: ZOCOUNT must be 1 and the zone's type SOA.
  if (out.header.qdcount != 1) {
    why = fmt::format("{} zone records, expected 1", out.header.qdcount);
    return wire::rcode::formerr;
  }
  if (std::size_t{out.header.ancount} + out.header.nscount > max_records) {
    why = fmt::format("{} records, at most {} taken", out.header.ancount + out.header.nscount,
                      max_records);
    return wire::rcode::formerr;
  }
  wire::WireName zone;
  reader.name(zone);
  const std::uint16_t zone_type = reader.u16();
  out.zone_class = reader.u16();
  const auto zone_name = reader.ok() ? wire::Name::from_wire(zone.wire()) : std::nullopt;
  if (!zone_name) {
    why = "malformed zone section";
    return wire::rcode::formerr;
  }
  out.zone = zone_name->lowercased();
  if (zone_type != wire::rrtype::soa) {
    why = fmt::format("zone section of type {}, expected SOA", zone_type);
    return wire::rcode::formerr;
  }
  for (auto [count, section] : {std::pair{out.header.ancount, &out.prerequisites},
                                std::pair{out.header.nscount, &out.updates}}) {
    section->reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      Record record;
      if (!read_record(reader, packet, record)) {
        why = fmt::format("malformed {} record {}",
                          section == &out.updates ? "update" : "prerequisite", i + 1);
        return wire::rcode::formerr;
      }
      section->push_back(std::move(record));
    }
  }
  return wire::rcode::noerror;
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
