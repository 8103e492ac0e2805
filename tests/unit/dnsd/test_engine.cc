// Engine tests: a query's bytes in, the response decoded to text, checked like dig output.
#include <doctest/doctest.h>

#include "dnsd/wire/types.hh"
#include "zone_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

// CNAMEs that end nowhere or loop: only the engine's cases ask for them.
const std::vector<std::string> example_zone = fixture::example_zone({
    "gone.example. 300 CNAME missing.example.",
    "loop1.example. 300 CNAME loop2.example.",
    "loop2.example. 300 CNAME LOOP1.example.",
});

struct Engine {
  explicit Engine(std::vector<std::string> records = example_zone)
      : served(fixture::serve("example.", records)) {}
  fixture::Decoded ask(const std::vector<std::uint8_t>& packet,
                       Transport transport = Transport::udp) {
    const Reply reply = answer(served->state(), *scratch, packet, Client{transport, {}});
    REQUIRE(reply.kind == Reply::Kind::send);
    return fixture::decode(reply.bytes);
  }
  fixture::Decoded ask(const std::string& qname, std::uint16_t qtype,
                       fixture::QueryOptions options = {}) {
    return ask(fixture::query(qname, qtype, options));
  }
  bool dropped(const std::vector<std::uint8_t>& packet) {
    return answer(served->state(), *scratch, packet, Client{}).kind == Reply::Kind::drop;
  }
  std::unique_ptr<fixture::Served> served;
  std::unique_ptr<Scratch> scratch = std::make_unique<Scratch>();
};

using Records = std::vector<std::string>;

}  // namespace

TEST_CASE("engine: an in-zone answer has AA, echoes ID, RD and the question's case") {
  Engine engine;
  const auto r = engine.ask("WwW.ExAmPlE.", rrtype::a, {.id = 0xbeef});
  CHECK(r.id == 0xbeef);
  CHECK(r.qr);
  CHECK(r.aa);
  CHECK((r.flags & 0x0100) != 0);  // RD copied
  CHECK((r.flags & 0x0080) == 0);  // never RA
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.question == "WwW.ExAmPlE. A");
  CHECK(r.answer == Records{"WwW.ExAmPlE. 300 A 192.0.2.80"});
  CHECK(r.authority.empty());
}

TEST_CASE("engine: NXDOMAIN and NODATA carry the SOA with TTL min(SOA TTL, MINIMUM)") {
  Engine engine;
  const auto soa = "example. 300 SOA ns1.example. hostmaster.example. 1 3600 600 86400 300";
  auto r = engine.ask("nope.example.", rrtype::a);
  CHECK(r.rcode == wire::rcode::nxdomain);
  CHECK(r.aa);
  CHECK(r.answer.empty());
  CHECK(r.authority == Records{soa});
  r = engine.ask("www.example.", rrtype::txt);
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.answer.empty());
  CHECK(r.authority == Records{soa});
  // An empty non-terminal exists: NODATA, not NXDOMAIN (RFC 4592 §2.2.2).
  r = engine.ask("b.a.example.", rrtype::a);
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.authority == Records{soa});
}

TEST_CASE("engine: CNAME chains are followed inside the zone, the last name decides the rcode") {
  Engine engine;
  auto r = engine.ask("alias.example.", rrtype::a);
  CHECK(r.answer == Records{"alias.example. 300 CNAME chain.example.",
                            "chain.example. 300 CNAME www.example.",
                            "www.example. 300 A 192.0.2.80"});
  r = engine.ask("out.example.", rrtype::a);
  CHECK(r.answer == Records{"out.example. 300 CNAME www.elsewhere."});
  CHECK(r.rcode == wire::rcode::noerror);
  r = engine.ask("gone.example.", rrtype::a);
  CHECK(r.rcode == wire::rcode::nxdomain);  // RFC 6604
  CHECK(r.answer.size() == 1);
  CHECK(r.authority.size() == 1);
  r = engine.ask("alias.example.", rrtype::cname);
  CHECK(r.answer == Records{"alias.example. 300 CNAME chain.example."});
  r = engine.ask("loop1.example.", rrtype::a);  // each CNAME of a loop once, as Knot DNS answers
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.answer ==
        Records{"loop1.example. 300 CNAME loop2.example.",
                "loop2.example. 300 CNAME loop1.example."});  // compressed onto the question
}

TEST_CASE("engine: wildcards synthesise the query name, explicit names and ENTs win") {
  Engine engine;
  auto r = engine.ask("any.thing.wild.example.", rrtype::a);
  CHECK(r.aa);
  CHECK(r.answer == Records{"any.thing.wild.example. 60 A 192.0.2.99"});
  r = engine.ask("x.wild.example.", rrtype::txt);  // wildcard exists, type does not: NODATA
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.answer.empty());
  CHECK(r.authority.size() == 1);
  r = engine.ask("explicit.wild.example.", rrtype::a);  // the explicit name blocks the wildcard
  CHECK(r.answer.empty());
  r = engine.ask("x.explicit.wild.example.", rrtype::a);  // below an existing name: no wildcard
  CHECK(r.rcode == wire::rcode::nxdomain);
}

TEST_CASE("engine: a referral below a zone cut has NS in authority, glue, and no AA") {
  Engine engine;
  for (const char* qname : {"sub.example.", "host.sub.example.", "ns.sub.example."}) {
    CAPTURE(qname);
    const auto r = engine.ask(qname, rrtype::a);
    CHECK_FALSE(r.aa);
    CHECK(r.rcode == wire::rcode::noerror);
    CHECK(r.answer.empty());
    CHECK(r.authority ==
          Records{"sub.example. 86400 NS ns.sub.example.", "sub.example. 86400 NS ns.other."});
    CHECK(r.additional == Records{"ns.sub.example. 86400 A 192.0.2.53"});
  }
  // DS belongs to the parent: answered authoritatively (here: NODATA).
  const auto ds = engine.ask("sub.example.", rrtype::ds);
  CHECK(ds.aa);
  CHECK(ds.answer.empty());
  CHECK(ds.authority.size() == 1);
}

TEST_CASE("engine: NS and MX answers carry in-zone addresses in additional") {
  Engine engine;
  auto r = engine.ask("example.", rrtype::ns);
  CHECK(r.answer.size() == 2);
  CHECK(r.additional ==
        Records{"ns1.example. 3600 A 192.0.2.1", "ns2.example. 3600 AAAA 2001:db8::2"});
  r = engine.ask("example.", rrtype::mx);
  CHECK(r.additional == Records{"mail.example. 300 A 192.0.2.25"});
}

TEST_CASE("engine: names outside every zone are REFUSED, without AA") {
  Engine engine;
  const auto r = engine.ask("www.example.org.", rrtype::a);
  CHECK(r.rcode == wire::rcode::refused);
  CHECK_FALSE(r.aa);
}

TEST_CASE("engine: ANY gets one RRset (RFC 8482)") {
  Engine engine;
  const auto r = engine.ask("example.", rrtype::any);
  CHECK(r.rcode == wire::rcode::noerror);
  // One whole RRset: the apex's lowest type number, NS (not SOA, MX and NS together).
  CHECK(r.answer == Records{"example. 3600 NS ns1.example.", "example. 3600 NS ns2.example."});
}

TEST_CASE("engine: opcodes, transfers and classes") {
  Engine engine;
  CHECK(engine.ask("example.", rrtype::axfr).rcode == wire::rcode::notimp);  // UDP, as Knot
  CHECK(engine.ask(fixture::query("example.", rrtype::axfr), Transport::tcp).rcode ==
        wire::rcode::refused);
  CHECK(engine.ask("example.", rrtype::ixfr).rcode == wire::rcode::refused);
  CHECK(engine.ask("example.", rrtype::soa, {.flags = 4 << 11}).rcode ==
        wire::rcode::refused);  // NOTIFY
  CHECK(engine.ask("example.", rrtype::soa, {.flags = 5 << 11}).rcode ==
        wire::rcode::refused);  // UPDATE
  CHECK(engine.ask("example.", rrtype::soa, {.flags = 1 << 11}).rcode ==
        wire::rcode::notimp);  // IQUERY
  CHECK(engine.ask("example.", rrtype::soa, {.flags = 3 << 11}).rcode == wire::rcode::notimp);
  CHECK(engine.ask(fixture::query("example.", rrtype::soa, {}, 4)).rcode ==
        wire::rcode::refused);  // HS
}

TEST_CASE("engine: CHAOS identity answers are off unless configured") {
  Engine engine;
  CHECK(engine.ask(fixture::query("version.bind.", rrtype::txt, {}, 3)).rcode ==
        wire::rcode::refused);
  engine.served->server.chaos_version = "dnsd-test";
  const auto r = engine.ask(fixture::query("VERSION.bind.", rrtype::txt, {}, 3));
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.answer == Records{"VERSION.bind. 0 TXT \"dnsd-test\""});
  CHECK(engine.ask(fixture::query("id.server.", rrtype::txt, {}, 3)).rcode == wire::rcode::refused);
}

TEST_CASE("engine: malformed queries get FORMERR or silence, never a crash") {
  Engine engine;
  auto good = fixture::query("www.example.", rrtype::a);
  auto with_qr = good;
  with_qr[2] |= 0x80;
  CHECK(engine.dropped(with_qr));
  CHECK(engine.dropped(std::vector<std::uint8_t>(good.begin(), good.begin() + 11)));
  auto no_question = std::vector<std::uint8_t>(good.begin(), good.begin() + 12);
  no_question[5] = 0;
  CHECK(engine.ask(no_question).rcode == wire::rcode::formerr);
  auto two_questions = good;
  two_questions[5] = 2;
  two_questions.insert(two_questions.end(), good.begin() + 12, good.end());
  const auto two = engine.ask(two_questions);
  CHECK(two.rcode == wire::rcode::formerr);
  CHECK(two.question.empty());
  auto trailing = good;
  trailing.push_back(0);
  CHECK(engine.ask(trailing).rcode == wire::rcode::formerr);
  auto truncated = std::vector<std::uint8_t>(good.begin(), good.end() - 2);
  CHECK(engine.ask(truncated).rcode == wire::rcode::formerr);
  auto overrun = good;
  overrun[7] = 5;  // ANCOUNT says 5 records that are not there
  CHECK(engine.ask(overrun).rcode == wire::rcode::formerr);
  auto loop = std::vector<std::uint8_t>(good.begin(), good.begin() + 12);
  loop.insert(loop.end(), {0xc0, 12, 0, 1, 0, 1});
  CHECK(engine.ask(loop).rcode == wire::rcode::formerr);
  auto trailing_echo = engine.ask(trailing);
  CHECK(trailing_echo.question == "www.example. A");  // read fine: echoed, as Knot does
}

TEST_CASE("engine: meta and obsolete types are looked up like any other, as Knot answers them") {
  Engine engine;
  const auto soa = "example. 300 SOA ns1.example. hostmaster.example. 1 3600 600 86400 300";
  for (const std::uint16_t type : {rrtype::opt, rrtype::maila, rrtype::mailb, std::uint16_t{249},
                                   std::uint16_t{250}, std::uint16_t{128}}) {
    CAPTURE(type);
    auto r = engine.ask("www.example.", type);
    CHECK(r.rcode == wire::rcode::noerror);
    CHECK(r.aa);
    CHECK(r.answer.empty());
    CHECK(r.authority == Records{soa});
    CHECK(engine.ask("nope.example.", type).rcode == wire::rcode::nxdomain);
  }
  CHECK(engine.ask("www.example.", 0).rcode == wire::rcode::notimp);
}

TEST_CASE("engine: QCLASS ANY is answered from the class IN zone; NONE is REFUSED") {
  Engine engine;
  const auto r = engine.ask(fixture::query("www.example.", rrtype::a, {}, 255));
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.answer == Records{"www.example. 300 A 192.0.2.80"});
  CHECK(r.question == "www.example. A");
  CHECK(engine.ask(fixture::query("www.example.", rrtype::a, {}, 254)).rcode ==
        wire::rcode::refused);
  CHECK(engine.ask(fixture::query("version.bind.", rrtype::txt, {}, 255)).rcode ==
        wire::rcode::refused);
}

TEST_CASE("engine: a malformed OPT is FORMERR without an OPT, an OPT outside additional too") {
  Engine engine;
  auto two_opts = fixture::query("www.example.", rrtype::a, {.edns = true});
  two_opts[11] = 2;
  two_opts.insert(two_opts.end(), two_opts.end() - 11, two_opts.end());
  auto r = engine.ask(two_opts);
  CHECK(r.rcode == wire::rcode::formerr);
  CHECK_FALSE(r.edns);
  CHECK(r.question == "www.example. A");
  // The same OPT counted as the answer section's, then the authority section's.
  for (const std::size_t count_at : {7u, 9u}) {
    auto misplaced = fixture::query("www.example.", rrtype::a, {.edns = true});
    misplaced[11] = 0;
    misplaced[count_at] = 1;
    r = engine.ask(misplaced);
    CHECK(r.rcode == wire::rcode::formerr);
    CHECK_FALSE(r.edns);
  }
  // An option overrunning the OPT RDATA; a truncated option header.
  for (const std::vector<std::uint8_t>& rdata :
       {std::vector<std::uint8_t>{0xfd, 0xe9, 0, 10, 'a', 'b'}, std::vector<std::uint8_t>{0, 10}}) {
    auto bad = fixture::query("www.example.", rrtype::a, {.edns = true});
    bad[bad.size() - 1] = static_cast<std::uint8_t>(rdata.size());
    bad.insert(bad.end(), rdata.begin(), rdata.end());
    r = engine.ask(bad);
    CHECK(r.rcode == wire::rcode::formerr);
    CHECK_FALSE(r.edns);
  }
}

TEST_CASE("engine: EDNS is echoed, unknown versions get BADVERS") {
  Engine engine;
  auto r = engine.ask("www.example.", rrtype::a, {.edns = true, .udp_payload = 4096});
  CHECK(r.edns);
  CHECK(r.edns_payload == 1232);
  CHECK(r.answer.size() == 1);
  r = engine.ask("www.example.", rrtype::a, {.edns = true, .edns_version = 1});
  CHECK(r.edns);
  CHECK(r.rcode == wire::rcode::badvers);
  CHECK(r.answer.empty());
  auto two_opts = fixture::query("www.example.", rrtype::a, {.edns = true});
  two_opts[11] = 2;
  two_opts.insert(two_opts.end(), two_opts.end() - 11, two_opts.end());
  CHECK(engine.ask(two_opts).rcode == wire::rcode::formerr);
}

TEST_CASE("engine: answers too big for UDP are truncated at an RRset boundary, whole over TCP") {
  Records records(example_zone);
  for (int i = 1; i <= 60; ++i)
    records.push_back(fmt::format("big.example. 60 A 198.51.100.{}", i));
  Engine engine(records);
  auto r = engine.ask("big.example.", rrtype::a);  // no EDNS: 512 bytes
  CHECK(r.tc);
  CHECK(r.answer.empty());
  r = engine.ask("big.example.", rrtype::a, {.edns = true, .udp_payload = 1232});
  CHECK_FALSE(r.tc);
  CHECK(r.answer.size() == 60);
  for (int i = 61; i <= 120; ++i)
    records.push_back(fmt::format("big.example. 60 A 198.51.100.{}", i));
  Engine bigger(records);
  r = bigger.ask("big.example.", rrtype::a, {.edns = true, .udp_payload = 1232});
  CHECK(r.tc);
  CHECK(r.edns);
  r = bigger.ask(fixture::query("big.example.", rrtype::a), Transport::tcp);
  CHECK_FALSE(r.tc);
  CHECK(r.answer.size() == 120);
}
