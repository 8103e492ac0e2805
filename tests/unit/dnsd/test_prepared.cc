// Prepared answers against the general path: for every name of a zone with every answer kind,
// many query types, child names that do not exist, mixed case, with and without EDNS, over UDP
// and TCP, the fast path must answer exactly what the general path answers, or decline.
#include <doctest/doctest.h>

#include "dnsd/live_serials.hh"
#include "dnsd/prepared_answer.hh"
#include "dnsd/wire/types.hh"
#include "routing/health_writer.hh"
#include "tests/support/expanded_response.hh"
#include "zone_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

// More RRsets at www (so that positive answers have several records and types), an SRV, and a
// TXT too big for UDP without EDNS: the fast path's cases that the engine's do not need.
const std::vector<std::string> zone_records = fixture::example_zone({
    "www.example. 300 A 192.0.2.81",
    "www.example. 300 AAAA 2001:db8::80",
    "www.example. 300 TXT \"v=spf1 -all\"",
    "srv._tcp.example. 300 SRV 0 5 443 www.example.",
    "big.example. 300 TXT \"" + std::string(250, 'a') + "\" \"" + std::string(250, 'b') + "\"",
});

routing::Model profile_model() {
  routing::Model model;
  routing::Profile profile;
  profile.name = "tm.example.";
  const struct {
    routing::TargetKind kind;
    const char* target;
    std::array<std::uint8_t, 16> address;
  } endpoints[] = {
      {routing::TargetKind::name, "eu.tenant.", {}},
      {routing::TargetKind::ipv4, "192.0.2.7", {192, 0, 2, 7}},
      {routing::TargetKind::ipv6,
       "2001:db8::7",
       {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}},
      {routing::TargetKind::name, "www.example.", {}}};  // in zone: followed, so general
  for (const auto& e : endpoints) {
    routing::Endpoint endpoint;
    endpoint.kind = e.kind;
    endpoint.target = e.target;
    endpoint.address = e.address;
    if (e.kind == routing::TargetKind::name) {
      const auto target = *wire::Name::from_text(e.target);
      endpoint.target_wire.assign(target.wire().begin(), target.wire().end());
    }
    endpoint.priority = static_cast<std::uint16_t>(profile.endpoints.size() + 1);
    endpoint.health_id = static_cast<routing::EndpointId>(profile.endpoints.size());
    profile.endpoints.push_back(endpoint);
  }
  model.endpoint_count = profile.endpoints.size();
  model.profiles.push_back(profile);
  return model;
}

// Alternates the case of letters by a pattern, as resolvers using 0x20 do.
std::string mixed_case(std::string name, unsigned pattern) {
  for (std::size_t i = 0; i < name.size(); ++i)
    if ((pattern >> (i % 8)) & 1)
      name[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[i])));
  return name;
}

struct Comparison {
  std::size_t queries = 0, prepared = 0;
};

void compare(const fixture::Served& served, const std::string& qname, std::uint16_t qtype,
             Comparison& seen) {
  auto fast_scratch = std::make_unique<Scratch>();
  auto general_scratch = std::make_unique<Scratch>();
  const fixture::QueryOptions options_list[] = {
      {},
      {.edns = true},
      {.edns = true, .udp_payload = 512},
      {.flags = 0x0110, .edns = true, .udp_payload = 4096}};
  for (unsigned pattern : {0u, 0x55u, 0xffu}) {
    for (const auto& options : options_list) {
      for (Transport transport : {Transport::udp, Transport::tcp}) {
        const auto packet = fixture::query(mixed_case(qname, pattern), qtype, options);
        const Client client{transport, {}};
        const Reply general = answer(served.general_state(), *general_scratch, packet, client);
        const auto fast = answer_prepared(served.state(), *fast_scratch, packet, client);
        ++seen.queries;
        if (!fast) continue;
        ++seen.prepared;
        CAPTURE(qname);
        CAPTURE(wire::type_to_text(qtype));
        CAPTURE(options.edns);
        REQUIRE(general.kind == Reply::Kind::send);
        CHECK(fast->rcode == general.rcode);
        REQUIRE(test_support::expanded_response(fast->bytes));
        CHECK(test_support::same_response(fast->bytes, general.bytes));
        // Positive answers are written the same way: identical bytes.
        if (general.rcode == wire::rcode::noerror && general.bytes[7] != 0)
          CHECK(std::vector<std::uint8_t>(fast->bytes.begin(), fast->bytes.end()) ==
                std::vector<std::uint8_t>(general.bytes.begin(), general.bytes.end()));
      }
    }
  }
}

const std::uint16_t query_types[] = {
    rrtype::a,    rrtype::ns,  rrtype::cname, rrtype::soa, rrtype::ptr, rrtype::mx, rrtype::txt,
    rrtype::aaaa, rrtype::srv, rrtype::ds,    rrtype::caa, 99,          65280,      65535};

}  // namespace

TEST_CASE("prepared answers: every name, type and child name answers as the general path") {
  auto served = fixture::serve("example.", zone_records, profile_model(), {{"tm.example.", 0}});
  Comparison seen;
  for (const zone::Node& node : served->zones.zones().front()->nodes()) {
    const std::string name = node.owner.to_text();
    for (std::uint16_t qtype : query_types) {
      compare(*served, name, qtype, seen);
      compare(*served, "nx." + name, qtype, seen);
      compare(*served, "a.b." + name, qtype, seen);
    }
  }
  compare(*served, "example.org.", rrtype::a, seen);
  MESSAGE(seen.prepared, " of ", seen.queries, " queries answered from prepared answers");
  // Most of these must take the fast path, or it has stopped working without anyone noticing.
  CHECK(seen.prepared * 2 > seen.queries);
}

TEST_CASE("prepared answers: a routed name follows the health of its endpoints at once") {
  auto served = fixture::serve("example.", zone_records, profile_model(), {{"tm.example.", 0}});
  Comparison seen;
  routing::HealthWriter writer(served->model, *served->health);
  const auto each_type = [&] {
    for (std::uint16_t qtype : query_types) compare(*served, "tm.example.", qtype, seen);
  };
  each_type();  // eu.tenant. (CNAME outside the zone)
  const std::size_t before = seen.prepared;
  writer.probed(0, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
  each_type();  // 192.0.2.7
  writer.probed(1, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
  each_type();  // 2001:db8::7
  CHECK(seen.prepared > before);
  writer.probed(2, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
  const std::size_t general_only = seen.prepared;
  each_type();  // www.example., inside the zone: followed by the general path
  CHECK(seen.prepared == general_only);
}

TEST_CASE("prepared answers: the fast path declines what it does not cover") {
  auto served = fixture::serve("example.", zone_records, profile_model(), {{"tm.example.", 0}});
  auto scratch = std::make_unique<Scratch>();
  const auto declines = [&](const std::vector<std::uint8_t>& packet,
                            Transport transport = Transport::udp) {
    return !answer_prepared(served->state(), *scratch, packet, Client{transport, {}});
  };
  CHECK(declines(fixture::query("www.example.", rrtype::any)));
  CHECK(declines(fixture::query("x.wild.example.", rrtype::a)));  // wildcard
  CHECK(declines(fixture::query("alias.example.", rrtype::a)));   // CNAME in the zone
  CHECK(declines(fixture::query("a.sub.example.", rrtype::a)));   // referral
  CHECK(declines(fixture::query("ns.sub.example.", rrtype::a)));  // glue
  CHECK(declines(fixture::query("big.example.", rrtype::txt)));   // TC over UDP
  CHECK(!declines(fixture::query("big.example.", rrtype::txt), Transport::tcp));
  CHECK(declines(fixture::query("www.example.", rrtype::a, {}, 3)));              // class CH
  CHECK(declines(fixture::query("www.example.", rrtype::a, {.flags = 0x2800})));  // opcode UPDATE
  CHECK(declines(fixture::query("www.example.", rrtype::a, {.edns = true, .edns_version = 1})));
  CHECK(declines(fixture::query("example.org.", rrtype::a)));  // REFUSED
  auto trailing = fixture::query("www.example.", rrtype::a);
  trailing.push_back(0);
  CHECK(declines(trailing));  // FORMERR
  CHECK(!declines(fixture::query("www.example.", rrtype::a)));
  CHECK(!declines(fixture::query("nx.example.", rrtype::a)));
}

TEST_CASE("a zone's live serial shows in its SOA: answers, negative answers, both paths alike") {
  auto served = fixture::serve("example.", zone_records, profile_model(), {{"tm.example.", 0}});
  LiveSerials serials(served->zones);
  const std::size_t apex_zone = served->zones.zones().front()->index();
  CHECK(serials.serial(apex_zone) == served->zones.zones().front()->serial());
  serials.set(apex_zone, 4000000001u);  // as a publisher moves it, past 2^31
  ServingState general = served->general_state(), fast = served->state();
  general.serials = fast.serials = &serials;
  auto scratch = std::make_unique<Scratch>();
  auto fast_scratch = std::make_unique<Scratch>();
  const struct {
    const char* qname;
    std::uint16_t qtype;
    bool in_answer;
  } cases[] = {{"example.", rrtype::soa, true},
               {"EXAMPLE.", rrtype::soa, true},
               {"www.example.", rrtype::caa, false},   // NODATA
               {"nx.nx.example.", rrtype::a, false}};  // NXDOMAIN
  for (const auto& c : cases) {
    CAPTURE(std::string(c.qname));
    const auto packet = fixture::query(c.qname, c.qtype, {.edns = true});
    const Client client{Transport::udp, {}};
    const Reply reply = answer(general, *scratch, packet, client);
    const fixture::Decoded decoded = fixture::decode(reply.bytes);
    const auto& section = c.in_answer ? decoded.answer : decoded.authority;
    REQUIRE(!section.empty());
    bool seen = false;
    for (const auto& record : section)
      if (record.find(" SOA ") != std::string::npos) {
        CHECK(record.find(" 4000000001 ") != std::string::npos);
        seen = true;
      }
    CHECK(seen);
    if (const auto prepared = answer_prepared(fast, *fast_scratch, packet, client))
      CHECK(std::vector<std::uint8_t>(prepared->bytes.begin(), prepared->bytes.end()) ==
            std::vector<std::uint8_t>(reply.bytes.begin(), reply.bytes.end()));
  }
  // The fast path did answer the SOA query itself, with the live serial.
  const auto packet = fixture::query("example.", rrtype::soa, {.edns = true});
  REQUIRE(answer_prepared(fast, *fast_scratch, packet, Client{Transport::udp, {}}));
}
