// Tracker: the hysteresis rule as a table of verdict sequences and the states they lead to.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "probe/tracker.hh"

using probe::Tracker;
using probe::Verdict;
using routing::MonitorStatus;
using routing::Reason;

namespace {

// '+' a successful probe, '-' a failed one; 'C' CheckingEndpoint, 'O' Online, 'D' Degraded.
struct Row {
  int tolerated;
  int to_recover;
  std::string verdicts;
  std::string states;  // state after each verdict
};

MonitorStatus state_of(char c) {
  return c == 'O'   ? MonitorStatus::online
         : c == 'D' ? MonitorStatus::degraded
                    : MonitorStatus::checking_endpoint;
}

Verdict verdict_of(char c) {
  Verdict v;
  v.ok = c == '+';
  v.reason = v.ok ? Reason::none : Reason::status;
  return v;
}

const std::vector<Row> k_rows = {
    // tolerated 0: the first failure degrades, also during the initial check
    {0, 1, "+", "O"},
    {0, 1, "-", "D"},
    {0, 1, "+-+", "ODO"},
    {0, 1, "--++", "DDOO"},
    // tolerated 1: two consecutive failures degrade; a success in between resets the count
    {1, 1, "-", "C"},
    {1, 1, "--", "CD"},
    {1, 1, "-+", "CO"},
    {1, 1, "+-", "OO"},
    {1, 1, "+--", "OOD"},
    {1, 1, "+-+-+-", "OOOOOO"},
    {1, 1, "+--+", "OODO"},
    // tolerated 3: four in a row, from CheckingEndpoint as from Online
    {3, 1, "----", "CCCD"},
    {3, 1, "+---", "OOOO"},
    {3, 1, "+----", "OOOOD"},
    {3, 1, "+---+----", "OOOOOOOOD"},
    // successes_to_recover 3: only a Degraded endpoint has to prove itself, and a failure
    // restarts the count
    {1, 3, "+", "O"},
    {1, 3, "-+", "CO"},
    {1, 3, "+--++", "OODDD"},
    {1, 3, "+--+++", "OODDDO"},
    {1, 3, "+--++-+++", "OODDDDDDO"},
    {0, 3, "-+++", "DDDO"},
    // successes_to_recover 0 means 1
    {0, 0, "-+", "DO"},
};

}  // namespace

TEST_CASE("tracker: verdict sequences lead to Traffic Manager states") {
  for (const auto& row : k_rows) {
    CAPTURE(row.tolerated);
    CAPTURE(row.to_recover);
    CAPTURE(row.verdicts);
    REQUIRE(row.verdicts.size() == row.states.size());
    Tracker tracker(static_cast<std::uint8_t>(row.tolerated),
                    static_cast<std::uint8_t>(row.to_recover));
    MonitorStatus before = MonitorStatus::checking_endpoint;
    for (std::size_t i = 0; i < row.verdicts.size(); ++i) {
      CAPTURE(i);
      const auto change = tracker.apply(verdict_of(row.verdicts[i]));
      const auto expected = state_of(row.states[i]);
      CHECK(tracker.status() == expected);
      // A transition is reported exactly when the state changes, and names both ends.
      if (expected == before) {
        CHECK_FALSE(change.has_value());
      } else {
        REQUIRE(change.has_value());
        CHECK(*change == probe::Transition{before, expected});
      }
      before = expected;
    }
  }
}

TEST_CASE("tracker: keeps the last failure's reason and the last success's rtt") {
  Tracker tracker(0, 1);
  Verdict ok;
  ok.ok = true;
  ok.rtt = std::chrono::milliseconds(12);
  Verdict timeout;
  timeout.reason = Reason::timeout;

  tracker.apply(ok);
  CHECK(tracker.health() == routing::Health{MonitorStatus::online, false, Reason::none, 12});
  tracker.apply(timeout);
  CHECK(tracker.health() == routing::Health{MonitorStatus::degraded, false, Reason::timeout, 12});
  ok.rtt = std::chrono::milliseconds(7);
  tracker.apply(ok);
  CHECK(tracker.health() == routing::Health{MonitorStatus::online, false, Reason::timeout, 7});
}

TEST_CASE("tracker: rtt saturates at 65535 ms") {
  Tracker tracker(0, 1);
  Verdict ok;
  ok.ok = true;
  ok.rtt = std::chrono::milliseconds(100'000);
  tracker.apply(ok);
  CHECK(tracker.health().rtt_ms == 65535);
}
