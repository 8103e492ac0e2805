// Rate limiting before on-demand signing (dnsd/udp_answer.hh), with an injected clock: under a
// random-name flood with DO=1 a dropped response costs no signature and a slipped one carries
// none; what is sent is signed as without rate limiting. Signatures are counted by the
// on-demand cache's own counters (dnssec/on_demand.hh).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <string>
#include <thread>

#include "dnsd/dnssec/on_demand.hh"
#include "dnsd/udp_answer.hh"
#include "dnsd/wire/types.hh"
#include "signed_fixture.hh"

using namespace dnsd;
using namespace std::chrono_literals;
namespace rrtype = wire::rrtype;

namespace {

using Clock = RrlTable::Clock;
const Clock::time_point t0 = Clock::time_point{} + 1000h;  // any point: the clock is injected

RrlConfig limits(bool enabled) {
  RrlConfig config;
  config.enabled = enabled;
  config.rate = 5;
  config.slip = 2;
  config.window = 15s;
  return config;
}

Client flooder() {
  Client client;
  client.info.address = {198, 51, 100, 7};
  return client;
}

std::size_t count_type(const std::vector<std::string>& section, const std::string& type) {
  return static_cast<std::size_t>(std::count_if(
      section.begin(), section.end(),
      [&](const auto& rr) { return rr.find(" " + type + " ") != std::string::npos; }));
}

struct Flood {
  std::size_t sent = 0, slipped = 0, dropped = 0, signed_sent = 0, signed_slipped = 0;
  std::uint64_t signatures = 0, misses = 0;
};

// `count` queries for new names, all at t0 (one instant: no bucket refills).
Flood flood(const ServingState& state, const RrlConfig& config, int count, const char* prefix) {
  RrlTable table(1024, t0, 12345);
  RrlWorker worker;
  const RrlTable::Timing timing = table.timing(t0, config);
  auto scratch = std::make_unique<Scratch>();
  const auto before = dnssec::on_demand_counts();
  Flood out;
  for (int i = 0; i < count; ++i) {
    const auto query =
        signed_fixture::do_query(prefix + std::to_string(i) + ".example.", rrtype::a);
    const UdpReply reply =
        answer_udp(state, *scratch, query, flooder(), table, worker, config, timing);
    REQUIRE(reply.reply.kind == Reply::Kind::send);
    if (reply.action == RrlAction::drop) {
      ++out.dropped;
      continue;
    }
    const auto decoded = fixture::decode(reply.reply.bytes);
    const bool has_rrsig = count_type(decoded.authority, "RRSIG") > 0;
    if (reply.action == RrlAction::slip) {
      CHECK(decoded.tc);
      ++out.slipped;
      out.signed_slipped += has_rrsig;
    } else {
      ++out.sent;
      out.signed_sent += has_rrsig && count_type(decoded.authority, "NSEC") == 1;
    }
  }
  const auto after = dnssec::on_demand_counts();
  out.signatures = after.signatures - before.signatures;
  out.misses = after.misses - before.misses;
  return out;
}

}  // namespace

TEST_CASE("rrl before signing: a dropped or slipped response to a random name makes no signature") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const Flood result = flood(signed_zone.state(), limits(true), 200, "flood");
  // rate 5 and a gate of a quarter second's worth: a handful sent, the rest limited.
  CHECK(result.sent > 0);
  CHECK(result.sent < 20);
  CHECK(result.dropped > 0);
  CHECK(result.slipped > 0);
  CHECK(result.sent + result.dropped + result.slipped == 200);
  // One key: one signature per response sent, none for the others.
  CHECK(result.signatures == result.sent);
  CHECK(result.misses == result.sent);
  CHECK(result.signed_sent == result.sent);  // what is sent is signed: NSEC and its RRSIG
  CHECK(result.signed_slipped == 0);
}

TEST_CASE("rrl before signing: with rate limiting off every new name costs a signature") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const Flood result = flood(signed_zone.state(), limits(false), 50, "open");
  CHECK(result.sent == 50);
  CHECK(result.signatures == 50);
  CHECK(result.signed_sent == 50);
}

TEST_CASE("rrl before signing: a cached signature is used without answering twice or recounting") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const ServingState state = signed_zone.state();
  RrlTable table(1024, t0, 1);
  RrlWorker worker;
  const RrlConfig config = limits(true);
  const RrlTable::Timing timing = table.timing(t0, config);
  auto scratch = std::make_unique<Scratch>();
  const auto query = signed_fixture::do_query("again.example.", rrtype::a);
  const auto before = dnssec::on_demand_counts();
  const UdpReply first =
      answer_udp(state, *scratch, query, flooder(), table, worker, config, timing);
  const std::vector<std::uint8_t> first_bytes(first.reply.bytes.begin(), first.reply.bytes.end());
  const UdpReply second =
      answer_udp(state, *scratch, query, flooder(), table, worker, config, timing);
  const auto after = dnssec::on_demand_counts();
  REQUIRE(first.action == RrlAction::send);
  REQUIRE(second.action == RrlAction::send);
  CHECK(after.signatures == before.signatures + 1);
  CHECK(after.misses == before.misses + 1);
  CHECK(after.hits == before.hits + 1);
  // ECDSA is randomised: equal bytes mean the second answer used the cached signature.
  CHECK(std::vector<std::uint8_t>(second.reply.bytes.begin(), second.reply.bytes.end()) ==
        first_bytes);
}

TEST_CASE("on-demand counters of every thread are summed for the metrics scrape") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const auto before = dnssec::on_demand_totals();
  std::thread other([&] {
    auto scratch = std::make_unique<Scratch>();
    const auto query = signed_fixture::do_query("elsewhere.example.", rrtype::a);
    answer(signed_zone.state(), *scratch, query, Client{});
    answer(signed_zone.state(), *scratch, query, Client{});
  });
  other.join();
  const auto after = dnssec::on_demand_totals();
  CHECK(after.signatures == before.signatures + 1);
  CHECK(after.misses == before.misses + 1);
  CHECK(after.hits == before.hits + 1);
}
