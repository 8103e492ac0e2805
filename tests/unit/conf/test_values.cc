// conf/ value parsers: TOML durations, addresses, and the error text format.
#include <doctest/doctest.h>

#include "conf/address.hh"
#include "conf/duration.hh"
#include "conf/errors.hh"

using namespace std::chrono_literals;

TEST_CASE("durations: integers are seconds elsewhere; strings combine ms, s, m and h") {
  CHECK(conf::parse_duration("500ms") == 500ms);
  CHECK(conf::parse_duration("10s") == 10s);
  CHECK(conf::parse_duration("5m") == 5min);
  CHECK(conf::parse_duration("1h") == 1h);
  CHECK(conf::parse_duration("1m30s") == 90s);
  CHECK(conf::parse_duration("1s500ms") == 1500ms);
  CHECK_FALSE(conf::parse_duration(""));
  CHECK_FALSE(conf::parse_duration("10"));
  CHECK_FALSE(conf::parse_duration("1.5s"));
  CHECK_FALSE(conf::parse_duration("-1s"));
  CHECK_FALSE(conf::parse_duration("+1s"));
  CHECK_FALSE(conf::parse_duration("1d"));
  CHECK_FALSE(conf::parse_duration("s"));
  CHECK_FALSE(conf::parse_duration("99999999999999999999h"));
  CHECK(conf::format_duration(90s) == "1m30s");
  CHECK(conf::format_duration(1500ms) == "1s500ms");
  CHECK(conf::format_duration(0ms) == "0s");
}

TEST_CASE("addresses: IPv4 with a port, IPv6 in brackets with a port") {
  std::string error;
  const auto v4 = conf::parse_host_port("127.0.0.1:5353", &error);
  REQUIRE(v4);
  CHECK(v4->ip.text == "127.0.0.1");
  CHECK(v4->port == 5353);
  const auto v6 = conf::parse_host_port("[::1]:53", &error);
  REQUIRE(v6);
  CHECK(v6->ip.v6);
  CHECK(v6->to_string() == "[::1]:53");
  for (const auto* bad : {"127.0.0.1", "::1:53", "[127.0.0.1]:53", "localhost:53", "127.0.0.1:0",
                          "127.0.0.1:65536", "[::1]53", "1.2.3.4:x"}) {
    INFO(bad);
    CHECK_FALSE(conf::parse_host_port(bad, &error));
    CHECK(error.find("e.g. \"127.0.0.1:5353\" or \"[::1]:5353\"") != std::string::npos);
  }
}

TEST_CASE("errors print as FILE:LINE: KEY: MESSAGE, leaving out what is unknown") {
  CHECK(conf::Error{"dnsd.toml", 12, "zone[0].record[3].type", "bad"}.to_string() ==
        "dnsd.toml:12: zone[0].record[3].type: bad");
  CHECK(conf::Error{"dnsd.toml", 0, "", "cannot read"}.to_string() == "dnsd.toml: cannot read");
  CHECK(conf::Error{"a.zone", 3, "", "bad"}.to_string() == "a.zone:3: bad");
}
