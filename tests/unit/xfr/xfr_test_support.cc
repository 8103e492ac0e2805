// Test support for dnsd/xfr (see xfr_test_support.hh).
#include "xfr_test_support.hh"

#include <arpa/inet.h>
#include <doctest/doctest.h>

#include "../dnsd/zone_text.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/wire/writer.hh"
#include "routing/address_range.hh"

namespace xfr_test {

using namespace dnsd;

std::optional<xfr::Transferable> OneZone::find(
    std::span<const std::uint8_t> lowercased_origin) const {
  if (!wire::names_equal(lowercased_origin, zone->origin().wire())) return std::nullopt;
  return xfr::Transferable{zone.get(), journal.get(), &acl, nullptr};
}

std::string soa_line(std::uint32_t serial) {
  return "example. 3600 SOA ns1.example. hostmaster.example. " + std::to_string(serial) +
         " 3600 600 86400 300";
}

std::unique_ptr<zone::Zone> example_zone(std::uint32_t serial,
                                         const std::vector<std::string>& extra) {
  std::vector<std::string> lines{soa_line(serial), "example. 3600 NS ns1.example.",
                                 "ns1.example. 3600 A 192.0.2.53"};
  lines.insert(lines.end(), extra.begin(), extra.end());
  return zone_text::build("example.", lines);
}

tsig::Key key(const std::string& name, const std::string& secret_base64) {
  std::string why;
  auto made = tsig::make_key(name, "hmac-sha256", secret_base64, &why);
  REQUIRE_MESSAGE(made.has_value(), why);
  return *made;
}

routing::ClientInfo client(const std::string& address) {
  routing::ClientInfo info;
  info.is_ipv6 = address.find(':') != std::string::npos;
  REQUIRE(inet_pton(info.is_ipv6 ? AF_INET6 : AF_INET, address.c_str(), info.address.data()) == 1);
  return info;
}

xfr::AclEntry entry(std::optional<std::string> key, std::optional<std::string> range) {
  xfr::AclEntry out;
  if (key) out.key = wire::Name::from_text(*key)->lowercased();
  if (range) {
    routing::AddressRange parsed;
    std::string why;
    REQUIRE_MESSAGE(routing::parse_range(*range, parsed, why), why);
    out.address = parsed;
  }
  return out;
}

Request request(const std::string& zone, std::optional<std::uint32_t> ixfr_serial,
                const tsig::Key* key, std::chrono::sys_seconds at) {
  Request out;
  std::vector<std::uint8_t> buffer(4096);
  wire::Writer writer(buffer, buffer.size());
  const auto name = wire::Name::from_text(zone).value();
  writer.put_u16(0x4242);
  writer.put_u16(0);
  writer.put_u16(1);
  writer.put_u16(0);
  writer.put_u16(ixfr_serial ? 1 : 0);
  writer.put_u16(0);
  writer.put_name(name.wire(), false);
  writer.put_u16(ixfr_serial ? wire::rrtype::ixfr : wire::rrtype::axfr);
  writer.put_u16(wire::rrclass::in);
  if (ixfr_serial) {
    // RFC 1995 §3: the client's SOA; only its serial matters (root names, zero timers).
    std::vector<std::uint8_t> rdata{0, 0};
    for (int shift = 24; shift >= 0; shift -= 8)
      rdata.push_back(static_cast<std::uint8_t>(*ixfr_serial >> shift));
    rdata.resize(rdata.size() + 16, 0);
    writer.put_rr(name.wire(), wire::rrtype::soa, wire::rrclass::in, 0, rdata);
  }
  if (key) REQUIRE(tsig::sign_request(writer, *key, at, out.mac));
  out.bytes.assign(writer.packet().begin(), writer.packet().end());
  return out;
}

Message read_message(std::span<const std::uint8_t> bytes) {
  wire::Reader reader(bytes);
  const auto header = reader.header();
  Message out{header.id, header.flags, header.qdcount, header.arcount, {}};
  wire::WireName name;
  for (int i = 0; i < header.qdcount; ++i) reader.name(name), reader.skip(4);
  for (int i = 0; i < header.ancount; ++i) {
    Rr rr;
    reader.name(name);
    rr.owner = wire::Name::from_wire(name.wire())->lowercased().to_text();
    rr.type = reader.u16();
    reader.skip(6);
    const std::size_t length = reader.u16();
    const std::size_t end = reader.pos() + length;
    if (rr.type == wire::rrtype::soa) {
      reader.name(name), reader.name(name);
      rr.serial = reader.u32();
    }
    REQUIRE(reader.pos() <= end);
    reader.skip(end - reader.pos());
    out.answers.push_back(rr);
  }
  REQUIRE(reader.ok());
  return out;
}

std::vector<std::vector<std::uint8_t>> run(xfr::Transfer& transfer, std::size_t size) {
  std::vector<std::vector<std::uint8_t>> out;
  std::vector<std::uint8_t> buffer(size);
  while (const std::size_t n = transfer.next(buffer, now)) {
    out.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    REQUIRE(out.size() < 100000);
  }
  CHECK(transfer.done());
  return out;
}

}  // namespace xfr_test
