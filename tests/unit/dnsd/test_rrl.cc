// Response rate limiting (dnsd/rrl.hh) with an injected clock: bucket accounting, the slip
// sequence, exempt ranges, client prefixes, and how responses from the real engine are classed.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "dnsd/rrl.hh"
#include "dnsd/wire/types.hh"
#include "routing/address_range.hh"
#include "zone_fixture.hh"

using namespace dnsd;
using namespace std::chrono_literals;
namespace rrtype = wire::rrtype;

namespace {

using Clock = RrlTable::Clock;
const Clock::time_point t0 = Clock::time_point{} + 1000h;  // any point: the clock is injected

routing::ClientInfo v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  routing::ClientInfo client;
  client.address = {a, b, c, d};
  return client;
}

routing::ClientInfo v6(std::initializer_list<std::uint8_t> bytes) {
  routing::ClientInfo client;
  std::copy(bytes.begin(), bytes.end(), client.address.begin());
  client.is_ipv6 = true;
  return client;
}

RrlConfig limits(unsigned rate, unsigned slip = 2, std::chrono::seconds window = 15s) {
  RrlConfig config;
  config.enabled = true;
  config.rate = rate;
  config.slip = slip;
  config.window = window;
  return config;
}

// The engine's real responses over the example zone (zone_fixture.cc).
struct Engine {
  std::unique_ptr<fixture::Served> served = fixture::serve("example.", fixture::example_zone());
  std::unique_ptr<Scratch> scratch = std::make_unique<Scratch>();
  std::vector<std::uint8_t> bytes;
  Reply reply;

  Reply& ask(const std::string& qname, std::uint16_t qtype) {
    const auto query = fixture::query(qname, qtype);
    reply = answer(served->state(), *scratch, query, Client{});
    bytes.assign(reply.bytes.begin(), reply.bytes.end());
    reply.bytes = bytes;
    return reply;
  }
  RrlResponse classify(const std::string& qname, std::uint16_t qtype) {
    ask(qname, qtype);
    return rrl_classify(reply.bytes, reply.wildcard, &served->zones);
  }
};

// A bucket's key, spread over the table as real keys are.
std::uint64_t bucket(std::uint64_t n) { return RrlTable::key(n, RrlResponse{RrlClass::answer, 1}); }

// How many of `count` responses at one instant the bucket of `key` lets through.
int allowed_of(RrlTable& table, std::uint64_t key, int count, Clock::time_point now,
               const RrlConfig& config) {
  int allowed = 0;
  for (int i = 0; i < count; ++i) allowed += table.allow(key, now, config) ? 1 : 0;
  return allowed;
}

}  // namespace

TEST_CASE("rrl: the prefix gate passes a quarter second of responses before buckets count") {
  Engine engine;
  const Reply& reply = engine.ask("www.example.", rrtype::a);
  RrlTable table(1024, t0, 42);
  RrlWorker worker;
  const RrlConfig config = limits(20, 0);
  int sent = 0;
  for (int i = 0; i < 100; ++i)
    sent +=
        rrl_check(table, worker, config, v4(192, 0, 2, 1), reply, nullptr, t0) == RrlAction::send;
  CHECK(sent == 5 + 20);
}

TEST_CASE("rrl: a fresh bucket passes one second of responses at once, then none") {
  RrlTable table(1024, t0, 42);
  const RrlConfig config = limits(10);
  CHECK(allowed_of(table, bucket(7), 10, t0, config) == 10);
  CHECK_FALSE(table.allow(bucket(7), t0, config));
  CHECK(allowed_of(table, bucket(8), 10, t0, config) == 10);  // another bucket has its own
}

TEST_CASE("rrl: below the rate every response passes") {
  RrlTable table(1024, t0, 42);
  const RrlConfig config = limits(10);
  for (int i = 0; i < 1000; ++i) CHECK(table.allow(bucket(7), t0 + i * 100ms, config));
}

TEST_CASE("rrl: limited responses are debited too, so a source over the rate stays limited") {
  RrlTable table(1024, t0, 42);
  const RrlConfig config = limits(10);
  CHECK(allowed_of(table, bucket(7), 10, t0, config) == 10);
  // Twice the rate for ten seconds: after the first second's ten, nothing passes (BIND).
  int allowed = 0;
  for (int i = 1; i <= 200; ++i) allowed += table.allow(bucket(7), t0 + i * 50ms, config) ? 1 : 0;
  CHECK(allowed == 0);
}

TEST_CASE("rrl: a flood's debt is capped at the window, then the source is answered again") {
  RrlTable table(1024, t0, 42);
  const RrlConfig config = limits(10, 2, 2s);
  CHECK(allowed_of(table, bucket(7), 10'000, t0, config) == 10);
  // In debt by at most the window (2 s): answered again one interval (100 ms) after it.
  RrlTable other(1024, t0, 42);
  CHECK(allowed_of(other, bucket(7), 10'000, t0, config) == 10);
  CHECK_FALSE(other.allow(bucket(7), t0 + 2s + 99ms, config));
  CHECK(table.allow(bucket(7), t0 + 2s + 100ms, config));
}

TEST_CASE("rrl: slip sends every slip-th limited response truncated, 0 drops them all") {
  Engine engine;
  const Reply& reply = engine.ask("www.example.", rrtype::a);
  const auto client = v4(192, 0, 2, 1);
  for (const unsigned slip : {0u, 1u, 2u, 3u}) {
    CAPTURE(slip);
    RrlTable table(1024, t0, 42);
    RrlWorker worker;
    const RrlConfig config = limits(5, slip);
    std::string sequence;
    for (int i = 0; i < 20; ++i) {
      const RrlAction action = rrl_check(table, worker, config, client, reply, nullptr, t0);
      sequence += action == RrlAction::slip ? 'S' : action == RrlAction::drop ? 'D' : '+';
    }
    // The prefix gate passes a quarter second's worth (1), the answer's bucket a second's (5).
    CHECK(sequence.substr(0, 6) == "++++++");
    sequence = sequence.substr(6, 6);
    const char* expected[] = {"DDDDDD", "SSSSSS", "DSDSDS", "DDSDDS"};
    CHECK(sequence == expected[slip]);
  }
}

TEST_CASE("rrl: an exempt range and a valid server cookie are never limited") {
  Engine engine;
  Reply reply = engine.ask("www.example.", rrtype::a);
  RrlTable table(1024, t0, 42);
  RrlWorker worker;
  RrlConfig config = limits(1, 0);
  routing::AddressRange range;
  std::string why;
  REQUIRE(routing::parse_range("198.51.100.0/24", range, why));
  config.exempt.push_back(range);
  const auto exempt = v4(198, 51, 100, 7), other = v4(198, 51, 101, 7);
  for (int i = 0; i < 100; ++i)
    CHECK(rrl_check(table, worker, config, exempt, reply, nullptr, t0) == RrlAction::send);
  CHECK(rrl_check(table, worker, config, other, reply, nullptr, t0) == RrlAction::send);
  CHECK(rrl_check(table, worker, config, other, reply, nullptr, t0) == RrlAction::drop);
  reply.valid_server_cookie = true;
  CHECK(rrl_check(table, worker, config, other, reply, nullptr, t0) == RrlAction::send);
}

TEST_CASE("rrl: clients share a bucket within their prefix (IPv4 /24, IPv6 /56 by default)") {
  RrlTable table(1024, t0, 42);
  RrlConfig config = limits(10);
  const RrlResponse response{RrlClass::answer, 12345};
  const auto key = [&](const routing::ClientInfo& client) {
    return RrlTable::key(table.prefix_key(client, config, table.timing(t0, config)), response);
  };
  CHECK(key(v4(192, 0, 2, 1)) == key(v4(192, 0, 2, 200)));
  CHECK(key(v4(192, 0, 2, 1)) != key(v4(192, 0, 3, 1)));
  CHECK(key(v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x22, 0x33})) ==
        key(v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x22, 0xff, 9, 9})));
  CHECK(key(v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x22, 0x33})) !=
        key(v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x23, 0x33})));
  config.ipv4_prefix = 32;
  config.ipv6_prefix = 64;
  CHECK(key(v4(192, 0, 2, 1)) != key(v4(192, 0, 2, 200)));
  CHECK(key(v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x22, 0x33})) !=
        key(v6({0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x22, 0xff})));
  // An IPv4 client and the IPv6 address with the same leading bytes are not the same client.
  CHECK(key(v4(32, 1, 13, 184)) != key(v6({32, 1, 13, 184})));
}

TEST_CASE("rrl: responses are classed as BIND and Knot do, from the engine's own answers") {
  Engine engine;
  CHECK(engine.classify("www.example.", rrtype::a).cls == RrlClass::answer);
  CHECK(engine.classify("www.example.", rrtype::txt).cls == RrlClass::nodata);
  CHECK(engine.classify("nope.example.", rrtype::a).cls == RrlClass::nxdomain);
  CHECK(engine.classify("host.sub.example.", rrtype::a).cls == RrlClass::referral);
  CHECK(engine.classify("any.wild.example.", rrtype::a).cls == RrlClass::wildcard);
  CHECK(engine.classify("www.elsewhere.", rrtype::a).cls == RrlClass::error);  // REFUSED
}

TEST_CASE("rrl: the name a class counts by: qname for answers, zone or delegation otherwise") {
  Engine engine;
  const auto hash = [&](const char* qname, std::uint16_t qtype) {
    return engine.classify(qname, qtype).name_hash;
  };
  // Answers count per qname, case-insensitively (0x20 randomisation lands in one bucket).
  CHECK(hash("www.example.", rrtype::a) == hash("WwW.ExAmple.", rrtype::a));
  CHECK(hash("www.example.", rrtype::a) != hash("mail.example.", rrtype::a));
  // Random names cannot spread a flood: NXDOMAIN and NODATA count per zone, referrals per
  // delegation, wildcard answers per zone.
  CHECK(hash("x1.example.", rrtype::a) == hash("y2.Example.", rrtype::a));
  CHECK(hash("x1.example.", rrtype::a) == hash("www.example.", rrtype::txt));
  CHECK(hash("a.sub.example.", rrtype::a) == hash("b.c.sub.example.", rrtype::a));
  CHECK(hash("a.wild.example.", rrtype::a) == hash("b.wild.example.", rrtype::a));
  CHECK(hash("a.wild.example.", rrtype::a) == hash("x1.example.", rrtype::a));  // the zone
}

TEST_CASE("rrl: responses of different classes to one client use different buckets") {
  Engine engine;
  RrlTable table(1024, t0, 42);
  RrlWorker worker;
  const RrlConfig config = limits(3, 0);
  const auto client = v4(192, 0, 2, 1);
  const auto run = [&](const char* qname, std::uint16_t qtype) {
    engine.ask(qname, qtype);
    int sent = 0;
    for (int i = 0; i < 10; ++i)
      sent += rrl_check(table, worker, config, client, engine.reply, &engine.served->zones, t0) ==
              RrlAction::send;
    return sent;
  };
  CHECK(run("www.example.", rrtype::a) == 3);
  CHECK(run("nope.example.", rrtype::a) == 3);
  CHECK(run("www.example.", rrtype::txt) == 3);
  CHECK(run("other.example.", rrtype::a) == 0);  // NXDOMAIN again: the zone's bucket is spent
}

TEST_CASE("rrl: a slipped response is the header and question, TC set, nothing else") {
  Engine engine;
  engine.ask("www.example.", rrtype::a);
  std::vector<std::uint8_t> response = engine.bytes;
  response.resize(rrl_truncate(response.data(), response.size()));
  const fixture::Decoded decoded = fixture::decode(response);
  CHECK(decoded.tc);
  CHECK(decoded.qr);
  CHECK(decoded.rcode == 0);
  CHECK(decoded.question == "www.example. A");
  CHECK(decoded.answer.empty());
  CHECK(decoded.authority.empty());
  CHECK(decoded.additional.empty());
  CHECK(decoded.id == 0x1234);
}

TEST_CASE("rrl: log lines are at most one per bucket per 5 s and 10 a second in all") {
  RrlTable table(1024, t0, 42);
  CHECK(table.may_log(1, t0));
  CHECK_FALSE(table.may_log(2, t0 + 50ms));  // the global gate: 100 ms between lines
  CHECK(table.may_log(2, t0 + 100ms));
  CHECK_FALSE(table.may_log(1, t0 + 4s));  // bucket 1 logged less than 5 s ago
  CHECK(table.may_log(1, t0 + 5s));
  int lines = 0;
  for (int i = 0; i < 1000; ++i) lines += table.may_log(100 + i, t0 + 10s + i * 1ms) ? 1 : 0;
  CHECK(lines == 10);  // one second, a thousand buckets: ten lines
}
