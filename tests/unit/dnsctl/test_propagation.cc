// wait-propagated's decision: which secondaries do not yet serve a serial, from the JSON of
// GET /api/v1/secondaries?zone=Z&check=1.
#include <doctest/doctest.h>

#include "tools/dnsctl/propagation.hh"

using nlohmann::json;

namespace {

json secondary(const std::string& name, json serving, bool answered, json error = nullptr) {
  return {{"secondary", name},
          {"serving_serial", serving},
          {"answered", answered},
          {"error", error},
          {"current", false}};
}

}  // namespace

TEST_CASE("serials compare by RFC 1982, across the wrap") {
  CHECK(dnsctl::serial_at_least(7, 7));
  CHECK(dnsctl::serial_at_least(8, 7));
  CHECK(!dnsctl::serial_at_least(6, 7));
  CHECK(dnsctl::serial_at_least(3, 0xFFFFFFF0u));   // wrapped: 3 is newer
  CHECK(!dnsctl::serial_at_least(0xFFFFFFF0u, 3));  // and this one older
  CHECK(!dnsctl::serial_at_least(0x80000000u, 0));  // exactly 2^31 apart: undefined, not newer
}

TEST_CASE("a secondary is missing unless it answered the check with the serial or newer") {
  const json zone = {
      {"zone", "example.test."},
      {"serial", 12},
      {"secondaries",
       {secondary("127.0.0.1:5301", 12, true), secondary("127.0.0.1:5302", 13, true),
        secondary("127.0.0.1:5303", 11, true), secondary("127.0.0.1:5304", 12, false, "timeout"),
        secondary("127.0.0.1:5305", nullptr, false)}}};
  CHECK(dnsctl::missing_secondaries(zone, 12) ==
        std::vector<std::string>{"127.0.0.1:5303 serves serial 11",
                                 // Seen at 12 before, but down now: it does not count.
                                 "127.0.0.1:5304 did not answer (timeout)",
                                 "127.0.0.1:5305 did not answer"});
  CHECK(dnsctl::missing_secondaries(zone, 11).size() == 2);
}

TEST_CASE("no secondaries means nothing to wait for") {
  CHECK(dnsctl::missing_secondaries(
            {{"zone", "a.test."}, {"serial", 1}, {"secondaries", json::array()}}, 1)
            .empty());
}

TEST_CASE("timeouts are seconds, with an optional s, m or h") {
  CHECK(dnsctl::parse_seconds("90") == 90);
  CHECK(dnsctl::parse_seconds("90s") == 90);
  CHECK(dnsctl::parse_seconds("2m") == 120);
  CHECK(dnsctl::parse_seconds("1h") == 3600);
  CHECK(dnsctl::parse_seconds("0") == 0);
  for (const char* bad : {"", "s", "m", "-5", "1.5", "5d", "ten", "1mm", "9999999999"})
    CHECK(dnsctl::parse_seconds(bad) == -1);
}
