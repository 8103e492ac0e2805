// fleet/rule: each rule as a table of votes and the state it must give, then ties,
// abstentions, dead vantages, the local fallback, ordering and the explanation's words.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fleet/rule.hh"

namespace {

using fleet::Rule;
using fleet::Vote;
using routing::MonitorStatus;
using routing::Reason;

constexpr auto O = MonitorStatus::online;
constexpr auto D = MonitorStatus::degraded;
constexpr auto C = MonitorStatus::checking_endpoint;
constexpr auto S = MonitorStatus::stopped;

// 10:02:11Z on some day, plus `seconds`.
std::chrono::system_clock::time_point at(int seconds) {
  // 1'699'920'000 is 2023-11-14 00:00:00Z.
  return std::chrono::system_clock::time_point{
      std::chrono::seconds{1'699'920'000 + 10 * 3600 + 2 * 60 + 11 + seconds}};
}

// Vantages named a, b, c, ... in the order of `states`.
std::vector<Vote> votes(std::initializer_list<MonitorStatus> states) {
  std::vector<Vote> out;
  char name = 'a';
  for (auto state : states)
    out.push_back(Vote{std::string(1, name++), state, state == D ? Reason::status : Reason::none,
                       state == D ? "http 503" : "", at(0), true});
  return out;
}

const Vote local_online{"local", O, Reason::none, "", at(0), true};

Rule majority() { return Rule{}; }
Rule at_least(std::uint32_t n) { return Rule{Rule::Kind::at_least, n, 0}; }
Rule fraction(double f) { return Rule{Rule::Kind::fraction, 1, f}; }

struct Case {
  const char* name;
  Rule rule;
  std::vector<Vote> votes;
  MonitorStatus expected;
};

void check_cases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    const auto decision = fleet::decide(c.rule, c.votes, local_online);
    INFO(c.name << ": " << decision.explanation);
    CHECK(decision.status == c.expected);
    CHECK_FALSE(decision.local);
  }
}

}  // namespace

TEST_CASE("majority: Degraded only when more vantages vote Degraded than Online") {
  check_cases({
      {"1 Online", majority(), votes({O}), O},
      {"1 Degraded", majority(), votes({D}), D},
      {"2 Online", majority(), votes({O, O}), O},
      {"2 Degraded", majority(), votes({D, D}), D},
      {"3: 1 Degraded", majority(), votes({D, O, O}), O},
      {"3: 2 Degraded", majority(), votes({D, D, O}), D},
      {"3: all Degraded", majority(), votes({D, D, D}), D},
      {"3: all Online", majority(), votes({O, O, O}), O},
  });
}

TEST_CASE("majority: a tie stays Online, since one vantage still reaches the endpoint") {
  check_cases({
      {"1-1", majority(), votes({D, O}), O},
      {"2-2", majority(), votes({D, O, D, O}), O},
  });
}

TEST_CASE("at_least: Online when at least N vantages vote Online") {
  check_cases({
      {"N=1, 1 of 3 Online", at_least(1), votes({D, D, O}), O},
      {"N=1, none Online", at_least(1), votes({D, D, D}), D},
      {"N=2, 2 of 3 Online", at_least(2), votes({D, O, O}), O},
      {"N=2, 1 of 3 Online", at_least(2), votes({D, D, O}), D},
      {"N=3, 1 Degraded fails over", at_least(3), votes({D, O, O}), D},
      {"N=3, all Online", at_least(3), votes({O, O, O}), O},
  });
}

TEST_CASE("at_least: with fewer votes than N, all votes must be Online") {
  check_cases({
      {"N=3, 2 votes Online", at_least(3), votes({O, O}), O},
      {"N=3, 2 votes split", at_least(3), votes({O, D}), D},
      {"N=3, 1 vote Online", at_least(3), votes({O}), O},
  });
}

TEST_CASE("fraction: Online when more than F of the votes are Online") {
  check_cases({
      {"0.18, 1 of 3 Online", fraction(0.18), votes({D, D, O}), O},
      {"0.18, none Online", fraction(0.18), votes({D, D, D}), D},
      {"0.5, 1 of 3 Online", fraction(0.5), votes({D, D, O}), D},
      {"0.5, 2 of 3 Online", fraction(0.5), votes({D, O, O}), O},
      {"0, 1 of 3 Online", fraction(0), votes({D, D, O}), O},
  });
}

TEST_CASE("fraction: exactly F Online is not more than F, so Degraded") {
  check_cases({
      {"0.5, 1 of 2", fraction(0.5), votes({D, O}), D},
      {"0.25, 1 of 4", fraction(0.25), votes({D, D, D, O}), D},
  });
}

TEST_CASE("abstentions: CheckingEndpoint and Stopped vantages are not counted as votes") {
  check_cases({
      {"majority, 1 Degraded + 2 checking", majority(), votes({D, C, C}), D},
      {"majority, 1 Online + 1 Degraded + 1 stopped", majority(), votes({O, D, S}), O},
      {"at_least 2, 1 Online + 2 checking", at_least(2), votes({O, C, C}), O},
      {"fraction 0.5, 1 Online + 1 checking", fraction(0.5), votes({O, C}), O},
  });
  const auto decision = fleet::decide(majority(), votes({D, C, C}), local_online);
  CHECK(decision.abstained == 2);
  CHECK(decision.degraded == 1);
}

TEST_CASE("abstentions: when every live vantage abstains the endpoint is CheckingEndpoint") {
  for (const auto& rule : {majority(), at_least(2), fraction(0.18)}) {
    const auto decision = fleet::decide(rule, votes({C, C, S}), local_online);
    INFO(decision.explanation);
    CHECK(decision.status == C);
    CHECK_FALSE(decision.local);
  }
}

TEST_CASE("a dead vantage's vote is not counted, and the rule applies to those alive") {
  auto three = votes({D, D, O});
  three[1].live = false;  // b died while voting Degraded
  const auto decision = fleet::decide(majority(), three, local_online);
  INFO(decision.explanation);
  CHECK(decision.status == O);  // 1-1 among the two alive: a tie
  CHECK(decision.dead == 1);
  CHECK(decision.online == 1);
  CHECK(decision.degraded == 1);
  CHECK(decision.explanation ==
        "majority of 2 live vantages: 1 Degraded (a: http 503 since 10:02:11Z), 1 Online (c), "
        "1 dead (b) -> Online");

  three[2].live = false;  // c too: a alone decides
  CHECK(fleet::decide(majority(), three, local_online).status == D);
}

TEST_CASE("no live vantage: the local verdict decides") {
  auto dead = votes({O, O});
  for (auto& vote : dead) vote.live = false;
  const Vote local_degraded{"local", D, Reason::timeout, "", at(5), true};
  const auto decision = fleet::decide(majority(), dead, local_degraded);
  CHECK(decision.local);
  CHECK(decision.status == D);
  CHECK(decision.reason == Reason::timeout);
  CHECK(decision.dead == 2);
  CHECK(decision.explanation ==
        "no live vantage, 2 dead (a, b): local verdict Degraded (timeout since 10:02:16Z) -> "
        "Degraded");

  const auto none = fleet::decide(majority(), {}, local_online);
  CHECK(none.local);
  CHECK(none.status == O);
  CHECK(none.explanation == "no vantage: local verdict Online -> Online");
}

TEST_CASE("a local verdict of Stopped wins over the votes") {
  const Vote local_stopped{"local", S, Reason::none, "", at(0), true};
  const auto decision = fleet::decide(majority(), votes({O, O, O}), local_stopped);
  CHECK(decision.status == S);
  CHECK(decision.local);
}

TEST_CASE("the decision does not depend on the order of the votes") {
  auto mixed = votes({D, O, D, C, O});
  mixed[0].reason = Reason::timeout;
  mixed[0].detail = "";
  mixed[3].live = false;
  const auto reference = fleet::decide(majority(), mixed, local_online);
  std::sort(mixed.begin(), mixed.end(),
            [](const Vote& a, const Vote& b) { return a.vantage > b.vantage; });
  do {
    const auto decision = fleet::decide(majority(), mixed, local_online);
    REQUIRE(decision.explanation == reference.explanation);
    REQUIRE(decision.status == reference.status);
    REQUIRE(decision.reason == reference.reason);
  } while (std::prev_permutation(mixed.begin(), mixed.end(), [](const Vote& a, const Vote& b) {
    return a.vantage < b.vantage;
  }));
}

TEST_CASE("the explanation names the rule, each vote with its reason and time, and the state") {
  std::vector<Vote> split{
      {"us-east", D, Reason::timeout, "", at(1), true},
      {"ap-south", O, Reason::none, "", at(0), true},
      {"eu-west", D, Reason::status, "http 503", at(0), true},
  };
  const auto decision = fleet::decide(majority(), split, local_online);
  CHECK(decision.status == D);
  CHECK(decision.explanation ==
        "majority of 3 live vantages: 2 Degraded (eu-west: http 503 since 10:02:11Z, us-east: "
        "timeout since 10:02:12Z), 1 Online (ap-south) -> Degraded");
  // eu-west and us-east disagree on the reason: the first in vantage order wins the tie.
  CHECK(decision.reason == Reason::status);

  split.push_back({"sa-east", C, Reason::none, "", at(0), true});
  CHECK(fleet::decide(at_least(2), split, local_online).explanation ==
        "at_least:2 of 4 live vantages: 2 Degraded (eu-west: http 503 since 10:02:11Z, us-east: "
        "timeout since 10:02:12Z), 1 Online (ap-south), 1 abstaining (sa-east: CheckingEndpoint) "
        "-> Degraded");
}

TEST_CASE("the Degraded reason is the one most Degraded votes give") {
  std::vector<Vote> three{
      {"a", D, Reason::status, "http 503", at(0), true},
      {"b", D, Reason::timeout, "", at(0), true},
      {"c", D, Reason::timeout, "", at(0), true},
  };
  CHECK(fleet::decide(majority(), three, local_online).reason == Reason::timeout);
  CHECK(fleet::decide(majority(), votes({O, O}), local_online).reason == Reason::none);
}

TEST_CASE("rules print as the config writes them") {
  CHECK(fleet::to_string(majority()) == "majority");
  CHECK(fleet::to_string(at_least(2)) == "at_least:2");
  CHECK(fleet::to_string(fraction(0.18)) == "fraction:0.18");
}
