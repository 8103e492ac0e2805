// Proves the query path allocates nothing after warm-up: operator new is replaced by a counting
// one, and every kind of answer is run many times with the counter watched.
#include <doctest/doctest.h>

#include "dnsd/query_counters.hh"
#include "dnsd/rrl.hh"
#include "dnsd/tsig/sign.hh"
#include "dnsd/update_queue.hh"
#include "dnsd/wire/types.hh"
#include "routing/address_range.hh"
#include "routing/geo_database.hh"
#include "routing/health_writer.hh"
#include "tests/support/counting_new.hh"
#include "zone_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

TEST_CASE("no allocation: every answer kind, after warm-up") {
  routing::Model model;
  routing::Profile profile;
  profile.name = "ci.example.";
  for (int i = 0; i < 2; ++i) {
    routing::Endpoint endpoint;
    endpoint.name = i ? "us" : "eu";
    endpoint.target = i ? "us.tenant." : "eu.tenant.";
    const auto target = *wire::Name::from_text(endpoint.target);
    endpoint.target_wire.assign(target.wire().begin(), target.wire().end());
    endpoint.health_id = static_cast<routing::EndpointId>(i);
    profile.endpoints.push_back(endpoint);
  }
  model.profiles.push_back(profile);
  // Weighted, multivalue and subnet profiles over IP endpoints (ids 2..5).
  const char* methods[] = {"weighted.example.", "multi.example.", "subnet.example."};
  const routing::Method kinds[] = {routing::Method::weighted, routing::Method::multivalue,
                                   routing::Method::subnet};
  for (int m = 0; m < 3; ++m) {
    routing::Profile p;
    p.name = methods[m];
    p.method = kinds[m];
    for (int i = 0; i < 2; ++i) {
      routing::Endpoint endpoint;
      endpoint.name = i ? "b" : "a";
      endpoint.kind = routing::TargetKind::ipv4;
      endpoint.address = {192, 0, 2, static_cast<std::uint8_t>(10 + i)};
      endpoint.weight = static_cast<std::uint16_t>(i + 1);
      endpoint.health_id = static_cast<routing::EndpointId>(2 + i);
      if (kinds[m] == routing::Method::subnet && i == 0) {
        routing::AddressRange range;
        range.first = {10, 0, 0, 0};
        range.last = {10, 255, 255, 255};
        range.prefix = 8;
        endpoint.ranges.push_back(range);
      }
      p.endpoints.push_back(endpoint);
    }
    model.profiles.push_back(p);
  }
  model.endpoint_count = 4;
  auto served =
      fixture::serve("example.",
                     {"example. 3600 SOA ns1.example. h.example. 1 3600 600 86400 300",
                      "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.1",
                      "www.example. 300 A 192.0.2.80", "alias.example. 300 CNAME www.example.",
                      "*.wild.example. 60 A 192.0.2.99", "sub.example. 300 NS ns.sub.example.",
                      "ns.sub.example. 300 A 192.0.2.53"},
                     model,
                     {{"ci.example.", 0},
                      {"weighted.example.", 1},
                      {"multi.example.", 2},
                      {"subnet.example.", 3}});
  served->server.chaos_version = "dnsd";
  const auto state = served->state();
  routing::HealthWriter writer(served->model, *served->health);
  auto scratch = std::make_unique<Scratch>();
  // The servers count every reply: that must not allocate either.
  QueryCounters counters(1, 0);

  struct Case {
    const char* qname;
    std::uint16_t qtype;
    std::uint16_t qclass;
  };
  const Case cases[] = {{"www.example.", rrtype::a, 1},      {"alias.example.", rrtype::a, 1},
                        {"nope.example.", rrtype::a, 1},     {"www.example.", rrtype::mx, 1},
                        {"x.wild.example.", rrtype::a, 1},   {"a.sub.example.", rrtype::a, 1},
                        {"ci.example.", rrtype::a, 1},       {"example.", rrtype::ns, 1},
                        {"example.org.", rrtype::a, 1},      {"version.bind.", rrtype::txt, 3},
                        {"weighted.example.", rrtype::a, 1}, {"multi.example.", rrtype::a, 1},
                        {"subnet.example.", rrtype::a, 1}};
  for (const auto& c : cases) {
    CAPTURE(c.qname);
    const auto packet = fixture::query(c.qname, c.qtype, {.edns = true}, c.qclass);
    answer(state, *scratch, packet, Client{});  // warm-up: function-local statics
    const std::size_t before = dnstest::allocation_count();
    for (int i = 0; i < 1000; ++i) {
      if (i == 500) {
        writer.probed(0, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
        writer.probed(2, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
      }
      const Reply reply = answer(state, *scratch, packet, Client{});
      counters.udp(0).record(reply.rcode, reply.qtype, reply.truncated);
      REQUIRE(reply.kind == Reply::Kind::send);
    }
    CHECK(dnstest::allocation_count() == before);
    writer.probed(0, routing::MonitorStatus::online, routing::Reason::none, 0);
    writer.probed(2, routing::MonitorStatus::online, routing::Reason::none, 0);
  }
  CHECK(counters.totals(Transport::udp).answered() == 1000 * std::size(cases));
}

TEST_CASE("no allocation: EDNS Client Subnet queries, echoed with their scope") {
  routing::Model model;
  routing::Profile p;
  p.name = "subnet.example.";
  p.method = routing::Method::subnet;
  routing::Endpoint endpoint;
  endpoint.name = "a";
  endpoint.kind = routing::TargetKind::ipv4;
  endpoint.address = {192, 0, 2, 10};
  routing::AddressRange range;
  range.first = {10, 0, 0, 0};
  range.last = {10, 255, 255, 255};
  range.prefix = 8;
  endpoint.ranges.push_back(range);
  p.endpoints.push_back(endpoint);
  model.profiles.push_back(p);
  model.endpoint_count = 1;
  auto served = fixture::serve("example.",
                               {"example. 3600 SOA ns1.example. h.example. 1 3600 600 86400 300",
                                "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.1"},
                               model, {{"subnet.example.", 0}});
  const auto state = served->state();
  auto scratch = std::make_unique<Scratch>();
  auto packet = fixture::query("subnet.example.", rrtype::a, {.edns = true});
  packet[packet.size() - 1] = 11;  // OPT rdlength: one ECS option, 10.1.2.0/24
  packet.insert(packet.end(), {0, 8, 0, 7, 0, 1, 24, 0, 10, 1, 2});
  answer(state, *scratch, packet, Client{});
  const std::size_t before = dnstest::allocation_count();
  for (int i = 0; i < 1000; ++i) {
    const Reply reply = answer(state, *scratch, packet, Client{});
    REQUIRE(reply.kind == Reply::Kind::send);
    REQUIRE(reply.bytes[reply.bytes.size() - 4] == 8);  // the scope of 10/8
  }
  CHECK(dnstest::allocation_count() == before);
}

TEST_CASE("no allocation: geographic answers, GeoIP lookups included") {
  routing::Model model;
  routing::Profile p;
  p.name = "geo.example.";
  p.method = routing::Method::geographic;
  std::string why;
  p.geoip = routing::GeoDatabase::open(DNSD_GEO_TEST_DB, why);
  REQUIRE(p.geoip);
  for (int i = 0; i < 2; ++i) {
    routing::Endpoint endpoint;
    endpoint.name = i ? "world" : "de";
    endpoint.kind = routing::TargetKind::ipv4;
    endpoint.address = {192, 0, 2, static_cast<std::uint8_t>(10 + i)};
    endpoint.health_id = static_cast<routing::EndpointId>(i);
    p.endpoints.push_back(endpoint);
    routing::RegionCode code{};
    REQUIRE(routing::parse_region(i ? "WORLD" : "DE", code, why));
    p.regions.push_back(routing::GeoRegion{code, static_cast<std::uint16_t>(i)});
  }
  model.profiles.push_back(p);
  model.endpoint_count = 2;
  auto served = fixture::serve("example.",
                               {"example. 3600 SOA ns1.example. h.example. 1 3600 600 86400 300",
                                "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.1"},
                               model, {{"geo.example.", 0}});
  const auto state = served->state();
  auto scratch = std::make_unique<Scratch>();
  auto packet = fixture::query("geo.example.", rrtype::a, {.edns = true});
  packet[packet.size() - 1] = 11;  // OPT rdlength: one ECS option, 10.1.2.0/24 (Bavaria)
  packet.insert(packet.end(), {0, 8, 0, 7, 0, 1, 24, 0, 10, 1, 2});
  answer(state, *scratch, packet, Client{});
  const std::size_t before = dnstest::allocation_count();
  for (int i = 0; i < 1000; ++i) {
    const Reply reply = answer(state, *scratch, packet, Client{});
    REQUIRE(reply.kind == Reply::Kind::send);
    REQUIRE(reply.bytes[reply.bytes.size() - 4] == 16);  // the database's network 10.1.0.0/16
  }
  CHECK(dnstest::allocation_count() == before);
}

TEST_CASE("no allocation: DNS cookies minted, checked, renewed and refused, on both paths") {
  auto served = fixture::serve("example.", fixture::example_zone());
  auto scratch = std::make_unique<Scratch>();
  const std::uint8_t client_cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const auto with_cookie = [&](const std::vector<std::uint8_t>& server_cookie) {
    auto packet = fixture::query("www.example.", rrtype::a, {.edns = true});
    packet[packet.size() - 1] = static_cast<std::uint8_t>(12 + server_cookie.size());
    packet.insert(packet.end(), {0, 10, 0, static_cast<std::uint8_t>(8 + server_cookie.size())});
    packet.insert(packet.end(), std::begin(client_cookie), std::end(client_cookie));
    packet.insert(packet.end(), server_cookie.begin(), server_cookie.end());
    return packet;
  };
  // Client cookie only; then the server cookie it was given (valid); then a forged one.
  const Reply first = answer(served->state(), *scratch, with_cookie({}), Client{});
  REQUIRE(first.bytes.size() > 16);
  const std::vector<std::uint8_t> ours(first.bytes.end() - 16, first.bytes.end());
  const std::vector<std::uint8_t> forged(16, 1);
  for (const auto& packet : {with_cookie({}), with_cookie(ours), with_cookie(forged)}) {
    for (const ServingState& state : {served->state(), served->general_state()}) {
      answer(state, *scratch, packet, Client{});
      const std::size_t before = dnstest::allocation_count();
      for (int i = 0; i < 1000; ++i)
        REQUIRE(answer(state, *scratch, packet, Client{}).kind == Reply::Kind::send);
      CHECK(dnstest::allocation_count() == before);
    }
  }
}

TEST_CASE("no allocation: the rate-limiting check, passing, slipping, dropping and logging") {
  auto served = fixture::serve("example.", fixture::example_zone());
  const auto state = served->state();
  auto scratch = std::make_unique<Scratch>();
  RrlTable table(4096, RrlTable::Clock::now(), 7);
  auto worker = std::make_unique<RrlWorker>();
  RrlConfig config;
  config.enabled = true;
  config.rate = 100;
  routing::AddressRange range;
  std::string why;
  REQUIRE(routing::parse_range("198.51.100.0/24", range, why));
  config.exempt.push_back(range);
  struct Case {
    const char* qname;
    std::uint16_t qtype;
  };
  // answer, nodata, nxdomain, referral, wildcard (its zone found), error
  const Case cases[] = {{"www.example.", rrtype::a},      {"www.example.", rrtype::txt},
                        {"nope.example.", rrtype::a},     {"host.sub.example.", rrtype::a},
                        {"any.wild.example.", rrtype::a}, {"www.elsewhere.", rrtype::a}};
  std::vector<std::vector<std::uint8_t>> queries;
  for (const auto& c : cases) queries.push_back(fixture::query(c.qname, c.qtype));
  routing::ClientInfo client;
  client.address = {192, 0, 2, 1};
  std::size_t counts[3] = {};
  const auto now = RrlTable::Clock::now();
  const std::size_t before = dnstest::allocation_count();
  for (int i = 0; i < 2000; ++i) {
    const auto& query = queries[static_cast<std::size_t>(i) % queries.size()];
    const Reply reply = answer(state, *scratch, query, Client{});
    const RrlAction action = rrl_check(table, *worker, config, client, reply, &served->zones, now);
    ++counts[static_cast<int>(action)];
    if (action == RrlAction::slip)
      rrl_truncate(const_cast<std::uint8_t*>(reply.bytes.data()), reply.bytes.size());
    worker->log.pending = false;  // the server writes the line outside the query path
  }
  CHECK(dnstest::allocation_count() == before);
  CHECK(counts[0] > 0);  // every action was taken
  CHECK(counts[1] > 0);
  CHECK(counts[2] > 0);
}

TEST_CASE("no allocation: UPDATE messages screened before the update queue") {
  const tsig::Keyring keyring{{*tsig::make_key("k.", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0")}};
  const auto stranger = *tsig::make_key("stranger.", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0");
  // example. SOA IN; one update: delete every TXT at the zone's name (compressed).
  const std::vector<std::uint8_t> unsigned_update = {
      0x12, 0x34, 5 << 3, 0, 0, 1, 0,    0,    0, 1,  0, 0,   7, 'e', 'x', 'a', 'm', 'p', 'l',
      'e',  0,    0,      6, 0, 1, 0xc0, 0x0c, 0, 16, 0, 255, 0, 0,   0,   0,   0,   0};
  const auto signed_by = [&](const tsig::Key& key) {
    std::vector<std::uint8_t> buffer(unsigned_update.size() + 512);
    wire::Writer writer(buffer, buffer.size());
    writer.put_bytes(unsigned_update);
    tsig::Mac mac;
    REQUIRE(tsig::sign_request(writer, key, std::chrono::sys_seconds{}, mac));
    buffer.resize(writer.size());
    return buffer;
  };
  const std::vector<std::uint8_t> messages[] = {unsigned_update, signed_by(stranger),
                                                signed_by(keyring.keys()[0])};
  auto queue = std::make_unique<UpdateQueue>(16);
  auto scratch = std::make_unique<Scratch>();
  routing::ClientInfo client;
  client.address = {192, 0, 2, 1};
  std::size_t answered = 0, offered = 0;
  const std::size_t before = dnstest::allocation_count();
  for (int i = 0; i < 3000; ++i) {
    std::uint64_t key_tag = 0;
    const auto& message = messages[static_cast<std::size_t>(i) % 3];
    if (queue->screen(&keyring, client, Transport::udp, message, scratch->response, key_tag))
      ++answered;
    else
      offered += key_tag != 0;
  }
  CHECK(dnstest::allocation_count() == before);
  CHECK(answered == 2000);
  CHECK(offered == 1000);
}
