// Query counters: slots, the qtype carried by real engine replies, per-thread sums.
#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "dnsd/query_counters.hh"
#include "dnsd/wire/types.hh"
#include "zone_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

std::size_t slot_of(std::string_view name, std::span<const std::string_view> names) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  FAIL("no slot named " << name);
  return 0;
}

std::unique_ptr<test_support::Served> example_zone() {
  return fixture::serve("example.",
                        {"example. 3600 SOA ns1.example. h.example. 1 3600 600 86400 300",
                         "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.1",
                         "www.example. 300 A 192.0.2.80"});
}

// What the UDP and TCP servers do with each reply.
void record(QueryCounterBlock& block, const Reply& reply) {
  if (reply.kind == Reply::Kind::send)
    block.record(reply.rcode, reply.qtype, reply.truncated);
  else
    block.record_dropped();
}

}  // namespace

TEST_CASE("query counters: rcode and qtype slots, unknown ones go to other") {
  CHECK(k_rcode_names[rcode_slot(wire::rcode::nxdomain)] == "NXDOMAIN");
  CHECK(k_rcode_names[rcode_slot(wire::rcode::badvers)] == "BADVERS");
  CHECK(k_rcode_names[rcode_slot(9)] == "other");  // NOTAUTH
  CHECK(k_qtype_names[qtype_slot(rrtype::aaaa)] == "AAAA");
  CHECK(k_qtype_names[qtype_slot(rrtype::caa)] == "CAA");
  CHECK(k_qtype_names[qtype_slot(rrtype::https)] == "HTTPS");
  CHECK(k_qtype_names[qtype_slot(65280)] == "other");
  CHECK(k_qtype_names[qtype_slot(rrtype::hinfo)] == "other");
}

TEST_CASE("query counters: the reply carries the qtype of the question it echoes") {
  auto served = example_zone();
  const auto state = served->state();
  auto scratch = std::make_unique<Scratch>();
  const auto query = fixture::query("www.Example.", rrtype::mx);
  CHECK(answer(state, *scratch, query, Client{}).qtype == rrtype::mx);
  CHECK(answer(served->general_state(), *scratch, query, Client{}).qtype == rrtype::mx);
  const auto cut_short = std::vector<std::uint8_t>(query.begin(), query.end() - 3);  // FORMERR
  CHECK(answer(state, *scratch, cut_short, Client{}).qtype == k_no_qtype);
  auto no_question = query;
  no_question[5] = 0;  // QDCOUNT 0
  CHECK(answer(state, *scratch, no_question, Client{}).qtype == k_no_qtype);
}

TEST_CASE("query counters: engine replies counted by rcode, qtype, truncation and drops") {
  auto served = example_zone();
  const auto state = served->state();
  auto scratch = std::make_unique<Scratch>();
  QueryCounters counters(2, 1);
  auto& block = counters.udp(1);

  record(block, answer(state, *scratch, fixture::query("www.example.", rrtype::a), Client{}));
  record(block, answer(state, *scratch, fixture::query("www.example.", rrtype::a), Client{}));
  record(block, answer(state, *scratch, fixture::query("nope.example.", rrtype::aaaa), Client{}));
  record(block, answer(state, *scratch, fixture::query("www.elsewhere.", rrtype::a), Client{}));
  auto response = fixture::query("www.example.", rrtype::a);
  response[2] |= 0x80;  // QR: a response is dropped, never answered
  record(block, answer(state, *scratch, response, Client{}));
  // A reply with TC set and no question (made up here: the counter takes what the reply says).
  counters.tcp(0).record(wire::rcode::noerror, k_no_qtype, true);

  const QueryTotals udp = counters.totals(Transport::udp);
  const auto noerror = slot_of("NOERROR", k_rcode_names),
             nxdomain = slot_of("NXDOMAIN", k_rcode_names),
             refused = slot_of("REFUSED", k_rcode_names);
  CHECK(udp.responses[noerror][slot_of("A", k_qtype_names)] == 2);
  CHECK(udp.responses[nxdomain][slot_of("AAAA", k_qtype_names)] == 1);
  CHECK(udp.responses[refused][slot_of("A", k_qtype_names)] == 1);
  CHECK(udp.answered() == 4);
  CHECK(udp.dropped == 1);
  CHECK(udp.truncated == 0);
  const QueryTotals tcp = counters.totals(Transport::tcp);
  CHECK(tcp.truncated == 1);
  CHECK(tcp.responses[noerror][slot_of("other", k_qtype_names)] == 1);  // no question
}

TEST_CASE("query counters: blocks written by their own threads sum exactly") {
  constexpr int per_thread = 100'000;
  QueryCounters counters(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i)
        counters.udp(t).record(wire::rcode::nxdomain, k_no_qtype, false);
    });
  // Reading while they write is allowed and never sees more than was written.
  for (int i = 0; i < 100; ++i)
    CHECK(counters.totals(Transport::udp).answered() <= 4u * per_thread);
  for (auto& thread : threads) thread.join();
  CHECK(counters.totals(Transport::udp).answered() == 4u * per_thread);
  CHECK(counters.totals(Transport::udp)
            .responses[slot_of("NXDOMAIN", k_rcode_names)][slot_of("other", k_qtype_names)] ==
        4u * per_thread);
  CHECK(alignof(QueryCounterBlock) == 64);
}
