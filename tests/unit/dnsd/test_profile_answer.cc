// Profile answers through the engine: query type against endpoint type, a disabled profile,
// multivalue, and EDNS Client Subnet (RFC 7871) driving subnet routing with its scope.
#include <doctest/doctest.h>

#include "dnsd/wire/types.hh"
#include "routing/address_range.hh"
#include "routing/health_writer.hh"
#include "zone_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

routing::Endpoint endpoint(const std::string& name, const std::string& target,
                           routing::EndpointId id, std::vector<std::string> ranges = {}) {
  routing::Endpoint e;
  e.name = name;
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
  for (const auto& text : ranges) {
    REQUIRE(routing::parse_range(text, parsed, why));
    e.ranges.push_back(parsed);
  }
  return e;
}

struct Fixture {
  Fixture() {
    routing::Model model;
    routing::Profile mixed;  // priority, an A and an AAAA endpoint
    mixed.name = "mixed.example.";
    mixed.endpoints = {endpoint("v4", "192.0.2.1", 0), endpoint("v6", "2001:db8::1", 1)};
    routing::Profile cname;
    cname.name = "cname.example.";
    cname.endpoints = {endpoint("eu", "eu.tenant.", 2)};
    routing::Profile off = cname;
    off.name = "off.example.";
    off.enabled = false;
    routing::Profile multi;
    multi.name = "multi.example.";
    multi.method = routing::Method::multivalue;
    multi.max_return = 2;
    multi.endpoints = {endpoint("a", "192.0.2.11", 3), endpoint("b", "192.0.2.12", 4),
                       endpoint("c", "192.0.2.13", 5), endpoint("d", "2001:db8::11", 6)};
    routing::Profile subnet;
    subnet.name = "subnet.example.";
    subnet.method = routing::Method::subnet;
    subnet.endpoints = {endpoint("ten", "192.0.2.21", 7, {"10.0.0.0/8"}),
                        endpoint("ten-one", "192.0.2.22", 8, {"10.1.0.0/16", "2001:db8::/32"}),
                        endpoint("rest", "192.0.2.23", 9)};
    routing::Profile parent;  // nests `cname` first, then an IP standby
    parent.name = "parent.example.";
    routing::Endpoint nested;
    nested.name = "child";
    nested.kind = routing::TargetKind::profile;
    nested.child = 1;
    nested.health_id = 10;
    parent.endpoints = {nested, endpoint("standby", "192.0.2.99", 11)};
    model.profiles = {mixed, cname, off, multi, subnet, parent};
    model.endpoint_count = 12;
    served = fixture::serve("example.",
                            {"example. 3600 SOA ns1.example. h.example. 1 3600 600 86400 300",
                             "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.53"},
                            model,
                            {{"mixed.example.", 0},
                             {"cname.example.", 1},
                             {"off.example.", 2},
                             {"multi.example.", 3},
                             {"subnet.example.", 4},
                             {"parent.example.", 5}});
    writer = std::make_unique<routing::HealthWriter>(served->model, *served->health);
    for (routing::EndpointId id = 0; id < 12; ++id)
      writer->probed(id, routing::MonitorStatus::online, routing::Reason::none, 1);
  }
  std::span<const std::uint8_t> raw(const std::vector<std::uint8_t>& packet,
                                    routing::ClientInfo source = {}) {
    const Reply reply = answer(served->state(), *scratch, packet, Client{Transport::udp, source});
    REQUIRE(reply.kind == Reply::Kind::send);
    return reply.bytes;
  }
  fixture::Decoded ask(const std::vector<std::uint8_t>& packet, routing::ClientInfo source = {}) {
    return fixture::decode(raw(packet, source));
  }
  std::unique_ptr<fixture::Served> served;
  std::unique_ptr<routing::HealthWriter> writer;  // of served->health
  std::unique_ptr<Scratch> scratch = std::make_unique<Scratch>();
};

// A query with EDNS and one Client Subnet option: family, source prefix, scope, address bytes.
std::vector<std::uint8_t> ecs_query(const std::string& qname, std::uint16_t qtype,
                                    std::uint16_t family, std::uint8_t source,
                                    std::vector<std::uint8_t> address, std::uint8_t scope = 0) {
  auto packet = fixture::query(qname, qtype, {.edns = true});
  const std::size_t option = 4 + address.size();
  const std::size_t rdlength = 4 + option;
  packet[packet.size() - 2] = static_cast<std::uint8_t>(rdlength >> 8);
  packet[packet.size() - 1] = static_cast<std::uint8_t>(rdlength);
  packet.insert(
      packet.end(),
      {0, 8, static_cast<std::uint8_t>(option >> 8), static_cast<std::uint8_t>(option),
       static_cast<std::uint8_t>(family >> 8), static_cast<std::uint8_t>(family), source, scope});
  packet.insert(packet.end(), address.begin(), address.end());
  return packet;
}

// The Client Subnet option at the end of a response (it is the OPT record's only option), or
// empty when the response ends with an OPT without options.
std::vector<std::uint8_t> ecs_option_of(std::span<const std::uint8_t> response,
                                        std::size_t address_bytes) {
  const std::size_t size = 8 + address_bytes;
  if (response.size() < size + 2) return {};
  const auto option = response.last(size);
  if (option[0] != 0 || option[1] != 8) return {};
  return {option.begin(), option.end()};
}

routing::ClientInfo source(const std::string& address) {
  routing::AddressRange parsed;
  std::string why;
  REQUIRE(routing::parse_range(address, parsed, why));
  return routing::ClientInfo{parsed.first, parsed.v6, 0, false};
}

}  // namespace

TEST_CASE("profile answer: A on an AAAA endpoint and AAAA on an A endpoint are NODATA") {
  Fixture f;
  auto r = f.ask(fixture::query("mixed.example.", rrtype::a));
  CHECK(r.answer == std::vector<std::string>{"mixed.example. 1 A 192.0.2.1"});
  r = f.ask(fixture::query("mixed.example.", rrtype::aaaa));
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.answer.empty());
  CHECK(r.authority.size() == 1);  // the SOA of a NODATA answer
  f.writer->probed(0, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
  r = f.ask(fixture::query("mixed.example.", rrtype::aaaa));
  CHECK(r.answer == std::vector<std::string>{"mixed.example. 1 AAAA 2001:db8::1"});
  r = f.ask(fixture::query("mixed.example.", rrtype::a));
  CHECK(r.answer.empty());
}

TEST_CASE("profile answer: any query type on a CNAME endpoint gets the CNAME") {
  Fixture f;
  for (const std::uint16_t qtype : {rrtype::a, rrtype::aaaa, rrtype::txt, rrtype::mx}) {
    CAPTURE(qtype);
    const auto r = f.ask(fixture::query("cname.example.", qtype));
    CHECK(r.answer == std::vector<std::string>{"cname.example. 1 CNAME eu.tenant."});
  }
}

TEST_CASE("profile answer: a disabled profile is NXDOMAIN, with the SOA") {
  Fixture f;
  const auto r = f.ask(fixture::query("off.example.", rrtype::a));
  CHECK(r.rcode == wire::rcode::nxdomain);
  CHECK(r.answer.empty());
  CHECK(r.authority.size() == 1);
  CHECK(r.aa);
}

TEST_CASE("profile answer: multivalue answers up to max_return addresses of the asked family") {
  Fixture f;
  auto r = f.ask(fixture::query("multi.example.", rrtype::a));
  CHECK(r.answer ==
        std::vector<std::string>{"multi.example. 1 A 192.0.2.11", "multi.example. 1 A 192.0.2.12"});
  f.writer->probed(3, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
  r = f.ask(fixture::query("multi.example.", rrtype::a));
  CHECK(r.answer ==
        std::vector<std::string>{"multi.example. 1 A 192.0.2.12", "multi.example. 1 A 192.0.2.13"});
  r = f.ask(fixture::query("multi.example.", rrtype::aaaa));
  CHECK(r.answer == std::vector<std::string>{"multi.example. 1 AAAA 2001:db8::11"});
}

TEST_CASE("profile answer: subnet routes by ECS, echoes it, and says the scope (RFC 7871)") {
  Fixture f;
  // 10.1.2.0/24 lies in 10.1.0.0/16: that endpoint, scope 16.
  auto bytes =
      f.raw(ecs_query("subnet.example.", rrtype::a, 1, 24, {10, 1, 2}), source("127.0.0.1"));
  auto r = fixture::decode(bytes);
  CHECK(r.answer == std::vector<std::string>{"subnet.example. 1 A 192.0.2.22"});
  CHECK(ecs_option_of(bytes, 3) == std::vector<std::uint8_t>{0, 8, 0, 7, 0, 1, 24, 16, 10, 1, 2});
  // 10.2.0.0/16: in 10/8 but clear of 10.1/16 only down to /15.
  bytes = f.raw(ecs_query("subnet.example.", rrtype::a, 1, 16, {10, 2}));
  CHECK(fixture::decode(bytes).answer ==
        std::vector<std::string>{"subnet.example. 1 A 192.0.2.21"});
  CHECK(ecs_option_of(bytes, 2) == std::vector<std::uint8_t>{0, 8, 0, 6, 0, 1, 16, 15, 10, 2});
  // Outside every range: the fallback endpoint. 64 (01000000) and 10 (00001010) share one
  // leading bit, so 64.0.0.0/2 is the widest block that stays clear of 10/8: scope 2.
  bytes = f.raw(ecs_query("subnet.example.", rrtype::a, 1, 8, {64}));
  CHECK(fixture::decode(bytes).answer ==
        std::vector<std::string>{"subnet.example. 1 A 192.0.2.23"});
  CHECK(ecs_option_of(bytes, 1) == std::vector<std::uint8_t>{0, 8, 0, 5, 0, 1, 8, 2, 64});
  // IPv6 ECS.
  bytes = f.raw(ecs_query("subnet.example.", rrtype::a, 2, 48, {0x20, 0x01, 0x0d, 0xb8, 0, 1}));
  CHECK(fixture::decode(bytes).answer ==
        std::vector<std::string>{"subnet.example. 1 A 192.0.2.22"});
  CHECK(ecs_option_of(bytes, 6)[7] == 32);
}

TEST_CASE("profile answer: without ECS the source address routes; non-subnet answers scope 0") {
  Fixture f;
  auto r = f.ask(fixture::query("subnet.example.", rrtype::a), source("10.1.9.9"));
  CHECK(r.answer == std::vector<std::string>{"subnet.example. 1 A 192.0.2.22"});
  r = f.ask(fixture::query("subnet.example.", rrtype::a), source("127.0.0.1"));
  CHECK(r.answer == std::vector<std::string>{"subnet.example. 1 A 192.0.2.23"});
  const auto bytes = f.raw(ecs_query("mixed.example.", rrtype::a, 1, 24, {10, 1, 2}));
  CHECK(ecs_option_of(bytes, 3) == std::vector<std::uint8_t>{0, 8, 0, 7, 0, 1, 24, 0, 10, 1, 2});
}

TEST_CASE("profile answer: malformed ECS is FORMERR (RFC 7871 §7.1)") {
  Fixture f;
  const std::vector<std::vector<std::uint8_t>> bad = {
      ecs_query("subnet.example.", rrtype::a, 3, 8, {10}),               // unknown family
      ecs_query("subnet.example.", rrtype::a, 1, 33, {10, 0, 0, 0, 0}),  // prefix too long
      ecs_query("subnet.example.", rrtype::a, 1, 24, {10, 1}),           // too few address bytes
      ecs_query("subnet.example.", rrtype::a, 1, 16, {10, 1, 2}),        // too many
      ecs_query("subnet.example.", rrtype::a, 1, 12, {10, 0x1f}),        // bits past the prefix
      ecs_query("subnet.example.", rrtype::a, 1, 24, {10, 1, 2}, 8),     // scope set in a query
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    CAPTURE(i);
    const auto r = f.ask(bad[i]);
    CHECK(r.rcode == wire::rcode::formerr);
    CHECK(r.answer.empty());
  }
  auto good = ecs_query("subnet.example.", rrtype::a, 1, 12, {10, 0x10});
  CHECK(f.ask(good).rcode == wire::rcode::noerror);
  auto zero = ecs_query("subnet.example.", rrtype::a, 1, 0, {});
  CHECK(f.ask(zero).answer == std::vector<std::string>{"subnet.example. 1 A 192.0.2.23"});
}

TEST_CASE("profile answer: a nested profile answers its child's pick under the parent's name") {
  Fixture f;
  auto r = f.ask(fixture::query("parent.example.", rrtype::a));
  CHECK(r.answer == std::vector<std::string>{"parent.example. 1 CNAME eu.tenant."});
  // The derived word (HealthWriter's, when the child's endpoints go) says the child is Degraded.
  f.writer->probed(10, routing::MonitorStatus::degraded, routing::Reason::other, 0);
  r = f.ask(fixture::query("parent.example.", rrtype::a));
  CHECK(r.answer == std::vector<std::string>{"parent.example. 1 A 192.0.2.99"});
}
