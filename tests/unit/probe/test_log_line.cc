// The transition log line: one line, old and new state, reason text.
#include <doctest/doctest.h>

#include "probe/log_line.hh"

TEST_CASE("log line: a failure names the reason") {
  probe::Verdict v;
  v.reason = routing::Reason::status;
  v.detail = "http 503";
  const auto line = probe::transition_line(
      {0, "ci", "eu"}, {routing::MonitorStatus::online, routing::MonitorStatus::degraded}, v);
  CHECK(line == R"(probe: profile=ci endpoint=eu Online -> Degraded reason="http 503")");
}

TEST_CASE("log line: a recovery names the round-trip time") {
  probe::Verdict v;
  v.ok = true;
  v.rtt = std::chrono::milliseconds(12);
  const auto line = probe::transition_line(
      {0, "ci", "eu"}, {routing::MonitorStatus::degraded, routing::MonitorStatus::online}, v);
  CHECK(line == "probe: profile=ci endpoint=eu Degraded -> Online rtt=12ms");
}
