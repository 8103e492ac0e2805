// Signed answers from the prepared answers: with DO, for every name and type of the signed
// fixture (and a health-routed name through a failover), the fast path answers byte for byte
// what the general path answers, or declines; it does answer the positive ones, and it reads
// the signatures current in the state, not those present when the blocks were made.
#include <doctest/doctest.h>

#include <cctype>
#include <ctime>

#include "dnsd/general_answer.hh"
#include "dnsd/prepared_answer.hh"
#include "dnsd/wire/types.hh"
#include "routing/health_writer.hh"
#include "signed_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

using Bytes = std::vector<std::uint8_t>;

// A health-routed name with an FQDN outside the zone, an IPv4 and an IPv6 endpoint, in order.
routing::Model profile_model() {
  routing::Model model;
  routing::Profile profile;
  profile.name = "tm.example.";
  for (const char* target : {"eu.tenant.", "192.0.2.7", "2001:db8::7"}) {
    routing::Endpoint endpoint;
    endpoint.target = target;
    if (profile.endpoints.empty()) {
      endpoint.kind = routing::TargetKind::name;
      const auto name = *wire::Name::from_text(target);
      endpoint.target_wire.assign(name.wire().begin(), name.wire().end());
    } else if (profile.endpoints.size() == 1) {
      endpoint.kind = routing::TargetKind::ipv4;
      endpoint.address = {192, 0, 2, 7};
    } else {
      endpoint.kind = routing::TargetKind::ipv6;
      endpoint.address = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
    }
    endpoint.priority = static_cast<std::uint16_t>(profile.endpoints.size() + 1);
    endpoint.health_id = static_cast<routing::EndpointId>(profile.endpoints.size());
    profile.endpoints.push_back(endpoint);
  }
  model.endpoint_count = profile.endpoints.size();
  model.profiles.push_back(profile);
  return model;
}

signed_fixture::SignedServed make_signed(std::int64_t now) {
  return signed_fixture::make(now, {"www.example. 300 AAAA 2001:db8::80"}, profile_model(),
                              {{"tm.example.", 0}});
}

Bytes do_query(const std::string& qname, std::uint16_t qtype, std::uint16_t payload) {
  auto packet = fixture::query(qname, qtype, {.edns = true, .udp_payload = payload});
  packet[packet.size() - 4] |= 0x80;  // DO (RFC 3225)
  return packet;
}

struct Seen {
  std::size_t queries = 0, fast = 0;
};

// Asks both paths every way; true when the fast path answered the TCP query.
bool compare(const ServingState& fast_state, const ServingState& general_state,
             const std::string& qname, std::uint16_t qtype, Seen& seen) {
  auto fast_scratch = std::make_unique<Scratch>();
  auto general_scratch = std::make_unique<Scratch>();
  bool fast_tcp = false;
  std::string upper = qname;  // 0x20: the question is echoed as the client wrote it
  upper[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[0])));
  for (const std::string& name : {qname, upper}) {
    for (std::uint16_t payload : {512, 1232, 4096}) {
      for (Transport transport : {Transport::udp, Transport::tcp}) {
        const Bytes packet = do_query(name, qtype, payload);
        const Client client{transport, {}};
        const auto fast = answer_prepared(fast_state, *fast_scratch, packet, client);
        const Reply general = answer_general(general_state, *general_scratch, packet, client);
        ++seen.queries;
        if (!fast) continue;
        ++seen.fast;
        if (transport == Transport::tcp && name == qname && payload == 4096) fast_tcp = true;
        CAPTURE(name);
        CAPTURE(wire::type_to_text(qtype));
        CAPTURE(payload);
        REQUIRE(general.kind == Reply::Kind::send);
        CHECK(Bytes(fast->bytes.begin(), fast->bytes.end()) ==
              Bytes(general.bytes.begin(), general.bytes.end()));
      }
    }
  }
  return fast_tcp;
}

const std::uint16_t query_types[] = {rrtype::a,     rrtype::ns,   rrtype::cname,  rrtype::soa,
                                     rrtype::mx,    rrtype::txt,  rrtype::aaaa,   rrtype::ds,
                                     rrtype::rrsig, rrtype::nsec, rrtype::dnskey, 65280};

}  // namespace

TEST_CASE(
    "signed prepared answers: every name and type answers as the general path, bytes and all") {
  auto signed_zone = make_signed(static_cast<std::int64_t>(std::time(nullptr)));
  const ServingState fast = signed_zone.state();
  ServingState general = fast;
  general.prepared = nullptr;
  Seen seen;
  for (const zone::Node& node : signed_zone.served->zones.zones().front()->nodes()) {
    const std::string name = node.owner.to_text();
    for (std::uint16_t qtype : query_types) {
      compare(fast, general, name, qtype, seen);
      compare(fast, general, "nx." + name, qtype, seen);
    }
  }
  MESSAGE(seen.fast, " of ", seen.queries, " DO queries answered from prepared answers");
}

TEST_CASE("signed prepared answers: positive answers take the fast path with their RRSIGs") {
  auto signed_zone = make_signed(static_cast<std::int64_t>(std::time(nullptr)));
  const ServingState fast = signed_zone.state();
  ServingState general = fast;
  general.prepared = nullptr;
  Seen seen;
  const struct {
    const char* qname;
    std::uint16_t qtype;
  } positive[] =
      {
          {"www.example.", rrtype::a},     {"www.example.", rrtype::aaaa},
          {"mail.example.", rrtype::a},    {"example.", rrtype::soa},
          {"example.", rrtype::ns},  // glue in additional, each RRset with its RRSIG
          {"example.", rrtype::mx},  // the zone of the fixture holds no DNSKEY
          {"out.example.", rrtype::cname}, {"out.example.", rrtype::a},  // CNAME out of the zone
          {"c.b.a.example.", rrtype::txt},
      };
  for (const auto& c : positive) {
    CAPTURE(c.qname);
    CAPTURE(wire::type_to_text(c.qtype));
    CHECK(compare(fast, general, c.qname, c.qtype, seen));
  }
  // Negative answers (compact denial) stay with the general path.
  CHECK_FALSE(compare(fast, general, "www.example.", rrtype::txt, seen));
  CHECK_FALSE(compare(fast, general, "nope.example.", rrtype::a, seen));
}

TEST_CASE(
    "signed prepared answers: a routed name's endpoint answers are signed through a failover") {
  auto signed_zone = make_signed(static_cast<std::int64_t>(std::time(nullptr)));
  const ServingState fast = signed_zone.state();
  ServingState general = fast;
  general.prepared = nullptr;
  routing::HealthWriter writer(signed_zone.served->model, *signed_zone.served->health);
  Seen seen;
  CHECK(compare(fast, general, "tm.example.", rrtype::a, seen));  // eu.tenant. CNAME
  CHECK(compare(fast, general, "tm.example.", rrtype::txt, seen));
  writer.probed(0, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
  CHECK(compare(fast, general, "tm.example.", rrtype::a, seen));  // 192.0.2.7
  writer.probed(1, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
  CHECK(compare(fast, general, "tm.example.", rrtype::aaaa, seen));     // 2001:db8::7
  CHECK_FALSE(compare(fast, general, "tm.example.", rrtype::a, seen));  // NODATA: general
}

TEST_CASE("signed prepared answers: signatures made after the blocks are the ones served") {
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  auto signed_zone = make_signed(now);
  // Re-signing makes a new ZoneSignatures over the same zone (later validity): the blocks,
  // built with the first, must write the second's RRSIGs.
  std::vector<std::string> errors;
  const auto resigned = dnssec::sign_zones(signed_zone.served->zones, signed_zone.served->model,
                                           signed_zone.keys, now + 86400, errors);
  REQUIRE(resigned);
  ServingState fast = signed_zone.state();
  fast.signatures = resigned.get();
  ServingState general = fast;
  general.prepared = nullptr;
  Seen seen;
  CHECK(compare(fast, general, "www.example.", rrtype::a, seen));
  CHECK(compare(fast, general, "example.", rrtype::ns, seen));
  CHECK(compare(fast, general, "tm.example.", rrtype::a, seen));
  // And what is served is not what the first signatures say.
  ServingState old_general = signed_zone.state();
  old_general.prepared = nullptr;
  auto scratch = std::make_unique<Scratch>();
  auto old_scratch = std::make_unique<Scratch>();
  const Bytes packet = do_query("www.example.", rrtype::a, 4096);
  const auto answered = answer_prepared(fast, *scratch, packet, Client{});
  REQUIRE(answered);
  const Reply old = answer_general(old_general, *old_scratch, packet, Client{});
  CHECK(Bytes(answered->bytes.begin(), answered->bytes.end()) !=
        Bytes(old.bytes.begin(), old.bytes.end()));
}
