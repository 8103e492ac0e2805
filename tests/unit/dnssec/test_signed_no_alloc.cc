// Proves signed answers allocate nothing on the query path: positive answers and NODATA use
// signatures made ahead, and a missing name's NSEC signature, once cached, is a cache hit; with
// rate limiting deciding before signing (udp_answer.hh) too.
#include <doctest/doctest.h>

#include <ctime>
#include <string>
#include <vector>

#include "dnsd/udp_answer.hh"
#include "dnsd/wire/types.hh"
#include "signed_fixture.hh"
#include "tests/support/counting_new.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

TEST_CASE("no allocation: signed answers with DO, after warm-up") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const ServingState state = signed_zone.state();
  auto scratch = std::make_unique<Scratch>();
  struct Case {
    const char* qname;
    std::uint16_t qtype;
  };
  const Case cases[] = {{"www.example.", rrtype::a},   {"www.example.", rrtype::txt},
                        {"nope.example.", rrtype::a},  {"example.", rrtype::dnskey},
                        {"a.sub.example.", rrtype::a}, {"x.wild.example.", rrtype::a},
                        {"example.", rrtype::soa}};
  for (const auto& c : cases) {
    CAPTURE(c.qname);
    const auto packet = signed_fixture::do_query(c.qname, c.qtype);
    answer(state, *scratch, packet, Client{});  // warm-up: the on-demand cache fills
    const std::size_t before = dnstest::allocation_count();
    for (int i = 0; i < 200; ++i) {
      const Reply reply = answer(state, *scratch, packet, Client{});
      REQUIRE(reply.kind == Reply::Kind::send);
    }
    CHECK(dnstest::allocation_count() == before);
  }
}

TEST_CASE("no allocation: signed answers through rate limiting, sent and limited, after warm-up") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const ServingState state = signed_zone.state();
  auto scratch = std::make_unique<Scratch>();
  RrlConfig limits;
  limits.enabled = true;
  limits.rate = 5;
  RrlTable table(1024, RrlTable::Clock::time_point{}, 7);
  RrlWorker worker;
  // One instant for the whole run: the first few are sent (signed), the rest limited.
  const RrlTable::Timing timing = table.timing(RrlTable::Clock::time_point{}, limits);
  Client client;
  client.info.address = {198, 51, 100, 7};
  const auto missing = signed_fixture::do_query("nope.example.", rrtype::a);
  const auto positive = signed_fixture::do_query("www.example.", rrtype::a);
  answer(state, *scratch, missing, Client{});    // warm-up: the on-demand cache fills
  std::vector<std::vector<std::uint8_t>> flood;  // new names, asked once the client is limited
  for (int i = 0; i < 100; ++i)
    flood.push_back(signed_fixture::do_query("r" + std::to_string(i) + ".example.", rrtype::a));
  const std::size_t before = dnstest::allocation_count();
  for (int i = 0; i < 200; ++i) {
    for (const auto* packet : {&missing, &positive}) {
      const UdpReply reply =
          answer_udp(state, *scratch, *packet, client, table, worker, limits, timing);
      REQUIRE(reply.reply.kind == Reply::Kind::send);
    }
  }
  // Limited by now: a new name's signature is never made, so nothing is allocated for it.
  for (const auto& packet : flood) {
    const UdpReply reply =
        answer_udp(state, *scratch, packet, client, table, worker, limits, timing);
    CHECK(reply.action != RrlAction::send);
  }
  CHECK(dnstest::allocation_count() == before);
}

TEST_CASE("no allocation: signed answers from the prepared answers, RRSIG runs in every section") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const ServingState state = signed_zone.state();
  auto scratch = std::make_unique<Scratch>();
  // Glue with its RRSIGs in additional, a CNAME out of the zone for any type, several records.
  const std::pair<const char*, std::uint16_t> cases[] = {
      {"example.", rrtype::ns}, {"example.", rrtype::mx}, {"out.example.", rrtype::a}};
  for (const auto& qcase : cases) {
    CAPTURE(qcase.first);
    const auto packet = signed_fixture::do_query(qcase.first, qcase.second);
    const std::size_t before = dnstest::allocation_count();
    for (int i = 0; i < 200; ++i) {
      const Reply reply = answer(state, *scratch, packet, Client{});
      REQUIRE(reply.kind == Reply::Kind::send);
    }
    CHECK(dnstest::allocation_count() == before);
  }
}
