// NODATA at a health-routed (profile) name, signed: the compact-denial NSEC lists the address
// types the name can answer over all its endpoints (nested profiles too), never the type asked
// for and never CNAME, so validators accept it and a resolver using cached NSECs (RFC 8198)
// denies nothing a failover may bring. Real validation is in integration.dnssec (delv, unbound).
#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "routing/address_range.hh"
#include "routing/health_writer.hh"
#include "signed_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

routing::Endpoint endpoint(const std::string& target, routing::EndpointId id) {
  routing::Endpoint e;
  e.name = target;
  e.health_id = id;
  routing::AddressRange parsed;
  std::string why;
  if (routing::parse_range(target, parsed, why)) {
    e.kind = parsed.v6 ? routing::TargetKind::ipv6 : routing::TargetKind::ipv4;
    e.address = parsed.first;
  } else {
    e.kind = routing::TargetKind::name;
    const auto wire_name = *wire::Name::from_text(target);
    e.target_wire.assign(wire_name.wire().begin(), wire_name.wire().end());
  }
  e.target = target;
  return e;
}

struct Signed {
  Signed() {
    routing::Model model;
    routing::Profile v4;  // two IPv4 endpoints
    v4.name = "v4.example.";
    v4.endpoints = {endpoint("192.0.2.1", 0), endpoint("192.0.2.2", 1)};
    routing::Profile mixed;  // IPv4 first, then IPv6
    mixed.name = "mixed.example.";
    mixed.endpoints = {endpoint("192.0.2.3", 2), endpoint("2001:db8::3", 3)};
    routing::Profile cname;
    cname.name = "cname.example.";
    cname.endpoints = {endpoint("eu.tenant.", 4)};
    routing::Profile parent;  // an FQDN child first, then an IPv6 standby
    parent.name = "parent.example.";
    routing::Endpoint nested;
    nested.name = "child";
    nested.kind = routing::TargetKind::profile;
    nested.child = 0;
    nested.health_id = 5;
    parent.endpoints = {nested, endpoint("2001:db8::6", 6)};
    model.profiles = {v4, mixed, cname, parent};
    model.endpoint_count = 7;
    served = fixture::serve(
        "example.",
        {"example. 3600 SOA ns1.example. h.example. 1 3600 600 86400 300",
         "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.53"},
        model,
        {{"v4.example.", 0}, {"mixed.example.", 1}, {"cname.example.", 2}, {"parent.example.", 3}});
    writer = std::make_unique<routing::HealthWriter>(served->model, *served->health);
    for (routing::EndpointId id = 0; id < 7; ++id)
      writer->probed(id, routing::MonitorStatus::online, routing::Reason::none, 1);
    dnssec::ZoneKeys zone_keys;
    zone_keys.origin = *wire::Name::from_text("example.");
    zone_keys.keys.push_back(*dnssec::SigningKey::generate(zone_keys.origin, 13, 257));
    keys.push_back(std::move(zone_keys));
    std::vector<std::string> errors;
    signatures = dnssec::sign_zones(served->zones, served->model, keys,
                                    static_cast<std::int64_t>(std::time(nullptr)), errors);
    REQUIRE(errors.empty());
  }

  // The types in the bitmap of the NSEC in the authority section, or {} when there is none.
  std::set<std::uint16_t> nsec_types(const std::string& qname, std::uint16_t qtype) {
    ServingState state = served->state();
    state.signatures = signatures.get();
    const auto query = signed_fixture::do_query(qname, qtype);
    const Reply reply = answer(state, *scratch, query, Client{});
    REQUIRE(reply.kind == Reply::Kind::send);
    last = fixture::decode(reply.bytes);
    wire::Reader reader(reply.bytes);
    const wire::Header header = reader.header();
    wire::WireName name;
    reader.name(name);
    reader.skip(4);
    for (unsigned i = 0; i < header.ancount; ++i) reader.skip_rr();
    for (unsigned i = 0; i < header.nscount; ++i) {
      reader.name(name);
      const std::uint16_t type = reader.u16();
      reader.skip(6);
      const std::size_t length = reader.u16();
      const std::size_t at = reader.pos();
      reader.skip(length);
      REQUIRE(reader.ok());
      if (type != rrtype::nsec) continue;
      const auto rdata = reply.bytes.subspan(at, length);
      std::size_t pos = 0;  // past the next name (uncompressed, RFC 4034 §4.1.1)
      while (pos < rdata.size() && rdata[pos] != 0) pos += 1 + rdata[pos];
      ++pos;
      std::set<std::uint16_t> types;
      while (pos + 2 <= rdata.size()) {
        const std::uint8_t window = rdata[pos], bytes = rdata[pos + 1];
        for (std::size_t b = 0; b < bytes && pos + 2 + b < rdata.size(); ++b)
          for (int bit = 0; bit < 8; ++bit)
            if (rdata[pos + 2 + b] & (0x80 >> bit))
              types.insert(static_cast<std::uint16_t>(window << 8 | (b * 8 + bit)));
        pos += 2 + bytes;
      }
      return types;
    }
    return {};
  }

  std::unique_ptr<fixture::Served> served;
  std::unique_ptr<routing::HealthWriter> writer;
  std::vector<dnssec::ZoneKeys> keys;
  std::unique_ptr<dnssec::Signatures> signatures;
  std::unique_ptr<Scratch> scratch = std::make_unique<Scratch>();
  fixture::Decoded last;
};

using Types = std::set<std::uint16_t>;

}  // namespace

TEST_CASE("profile NODATA: the NSEC lists the name's address types but not the one asked for") {
  Signed s;
  CHECK(s.nsec_types("v4.example.", rrtype::txt) == Types{rrtype::a, rrtype::rrsig, rrtype::nsec});
  CHECK(s.last.rcode == wire::rcode::noerror);
  CHECK(s.last.answer.empty());
  CHECK(s.nsec_types("v4.example.", rrtype::aaaa) == Types{rrtype::a, rrtype::rrsig, rrtype::nsec});
  CHECK(s.nsec_types("mixed.example.", rrtype::txt) ==
        Types{rrtype::a, rrtype::aaaa, rrtype::rrsig, rrtype::nsec});
}

TEST_CASE("profile NODATA: nested profiles count, CNAME never appears") {
  Signed s;
  // parent: a child profile of two IPv4 endpoints, and an IPv6 standby.
  CHECK(s.nsec_types("parent.example.", rrtype::txt) ==
        Types{rrtype::a, rrtype::aaaa, rrtype::rrsig, rrtype::nsec});
  // An FQDN endpoint answers every type with its CNAME: no NODATA to prove.
  CHECK(s.nsec_types("cname.example.", rrtype::txt).empty());
  CHECK(std::count_if(s.last.answer.begin(), s.last.answer.end(),
                      [](const auto& rr) { return rr.find(" CNAME ") != std::string::npos; }) == 1);
}

TEST_CASE("profile NODATA: the proof does not change with health") {
  Signed s;
  const Types before = s.nsec_types("mixed.example.", rrtype::txt);
  s.writer->probed(2, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
  CHECK(s.nsec_types("mixed.example.", rrtype::txt) == before);
}
