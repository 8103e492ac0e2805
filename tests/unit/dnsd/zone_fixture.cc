#include "zone_fixture.hh"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "zone_text.hh"

using namespace dnsd;

namespace fixture {

std::vector<std::string> example_zone(const std::vector<std::string>& extra) {
  std::vector<std::string> records = {
      "example. 3600 SOA ns1.example. hostmaster.example. 1 3600 600 86400 300",
      "example. 3600 NS ns1.example.",
      "example. 3600 NS ns2.example.",
      "example. 3600 MX 10 mail.example.",
      "ns1.example. 3600 A 192.0.2.1",
      "ns2.example. 3600 AAAA 2001:db8::2",
      "mail.example. 300 A 192.0.2.25",
      "www.example. 300 A 192.0.2.80",
      "alias.example. 300 CNAME chain.example.",
      "chain.example. 300 CNAME www.example.",
      "out.example. 300 CNAME www.elsewhere.",
      "c.b.a.example. 300 TXT \"deep\"",
      "*.wild.example. 60 A 192.0.2.99",
      "explicit.wild.example. 60 TXT \"here\"",
      "sub.example. 86400 NS ns.sub.example.",
      "sub.example. 86400 NS ns.other.",
      "ns.sub.example. 86400 A 192.0.2.53",
  };
  records.insert(records.end(), extra.begin(), extra.end());
  return records;
}

std::unique_ptr<Served> serve(
    const std::string& origin_text, const std::vector<std::string>& records, routing::Model model,
    const std::vector<std::pair<std::string, routing::ProfileId>>& profiles) {
  auto served = std::make_unique<Served>();
  const auto origin = *wire::Name::from_text(origin_text);
  zone::ZoneBuilder builder(origin);
  for (const auto& line : records) {
    const zone::Record record = zone_text::record(origin_text, line);
    const auto added = builder.add_record(record.owner, record.type, record.ttl, record.rdata);
    REQUIRE_MESSAGE(added.empty(), added);
  }
  for (const auto& [name, id] : profiles)
    REQUIRE(builder.add_profile(*wire::Name::from_text(name), id).empty());
  auto built = std::move(builder).build();
  REQUIRE_MESSAGE(built.errors.empty(), (built.errors.empty() ? "" : built.errors.front()));
  served->zones.add(std::move(built.zone));
  served->model = std::move(model);
  served->health = std::make_unique<routing::HealthTable>(served->model.endpoint_count);
  served->flat = std::make_unique<routing::FlatAddresses>(served->model.endpoint_count);
  served->prepare();
  return served;
}

std::vector<std::uint8_t> query(const std::string& qname, std::uint16_t qtype, QueryOptions options,
                                std::uint16_t qclass) {
  std::vector<std::uint8_t> packet{static_cast<std::uint8_t>(options.id >> 8),
                                   static_cast<std::uint8_t>(options.id),
                                   static_cast<std::uint8_t>(options.flags >> 8),
                                   static_cast<std::uint8_t>(options.flags),
                                   0,
                                   1,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   static_cast<std::uint8_t>(options.edns ? 1 : 0)};
  const auto name = *wire::Name::from_text(qname);
  packet.insert(packet.end(), name.wire().begin(), name.wire().end());
  for (std::uint16_t value : {qtype, qclass}) {
    packet.push_back(static_cast<std::uint8_t>(value >> 8));
    packet.push_back(static_cast<std::uint8_t>(value));
  }
  if (options.edns) {
    const std::uint8_t opt[] = {0,
                                0,
                                41,
                                static_cast<std::uint8_t>(options.udp_payload >> 8),
                                static_cast<std::uint8_t>(options.udp_payload),
                                0,
                                options.edns_version,
                                0,
                                0,
                                0,
                                0};
    packet.insert(packet.end(), std::begin(opt), std::end(opt));
  }
  return packet;
}

namespace {

// Decompresses the names inside rdata so rdata_to_text sees uncompressed wire form.
std::vector<std::uint8_t> expand_rdata(wire::Reader& reader, std::uint16_t type,
                                       std::uint16_t rdlength) {
  std::vector<std::uint8_t> out;
  const std::size_t end = reader.pos() + rdlength;
  auto take_name = [&] {
    wire::WireName name;
    reader.name(name);
    out.insert(out.end(), name.wire().begin(), name.wire().end());
  };
  auto take_bytes = [&](std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) out.push_back(reader.u8());
  };
  switch (type) {
    case wire::rrtype::ns:
    case wire::rrtype::cname:
    case wire::rrtype::ptr:
      take_name();
      break;
    case wire::rrtype::mx:
      take_bytes(2);
      take_name();
      break;
    case wire::rrtype::soa:
      take_name();
      take_name();
      take_bytes(20);
      break;
    default:
      take_bytes(rdlength);
      break;
  }
  CHECK(reader.pos() == end);
  return out;
}

}  // namespace

Decoded decode(std::span<const std::uint8_t> response) {
  Decoded out;
  wire::Reader reader(response);
  const auto header = reader.header();
  out.id = header.id;
  out.flags = header.flags;
  out.rcode = header.flags & 0xf;
  out.qr = header.flags & 0x8000;
  out.aa = header.flags & 0x0400;
  out.tc = header.flags & 0x0200;
  for (unsigned i = 0; i < header.qdcount; ++i) {
    wire::WireName qname;
    reader.name(qname);
    const auto qtype = reader.u16();
    reader.u16();
    out.question = fmt::format("{} {}", wire::Name::from_wire(qname.wire())->to_text(),
                               wire::type_to_text(qtype));
  }
  std::vector<std::string>* sections[] = {&out.answer, &out.authority, &out.additional};
  const unsigned counts[] = {header.ancount, header.nscount, header.arcount};
  for (int s = 0; s < 3; ++s) {
    for (unsigned i = 0; i < counts[s]; ++i) {
      wire::WireName owner;
      reader.name(owner);
      const auto type = reader.u16();
      const auto rrclass = reader.u16();
      const auto ttl = reader.u32();
      const auto rdlength = reader.u16();
      if (type == wire::rrtype::opt) {
        out.edns = true;
        out.edns_payload = rrclass;
        out.rcode |= static_cast<std::uint16_t>((ttl >> 24) << 4);
        reader.skip(rdlength);
        continue;
      }
      const auto rdata = expand_rdata(reader, type, rdlength);
      sections[s]->push_back(
          fmt::format("{} {} {} {}", wire::Name::from_wire(owner.wire())->to_text(), ttl,
                      wire::type_to_text(type), wire::rdata_to_text(type, rdata)));
    }
  }
  REQUIRE(reader.ok());
  CHECK(reader.remaining() == 0);
  return out;
}

}  // namespace fixture
