// Times the admin API reads (disable?until=, from=): out of range is an error, never a wrap.
#include <doctest/doctest.h>

#include "control/time_text.hh"

using control::parse_time;
using control::WallClock;

TEST_CASE("time text: Unix seconds and RFC 3339 up to the clock's range are read exactly") {
  CHECK(parse_time("0") == WallClock::from_time_t(0));
  CHECK(parse_time("4102444800") == WallClock::from_time_t(4102444800));  // 2100-01-01
  CHECK(parse_time("2100-01-01T00:00:00Z") == WallClock::from_time_t(4102444800));
}

TEST_CASE("time text: a time past what the clock holds is refused, not wrapped to another") {
  // 1e11 seconds is the year 5138: WallClock (nanoseconds in 64 bits) ends in 2262.
  CHECK_FALSE(parse_time("100000000000"));
  CHECK_FALSE(parse_time("9223372036854775807"));
  CHECK_FALSE(parse_time("99999999999999999999999"));  // more than 64 bits
  CHECK_FALSE(parse_time("9999-12-31T23:59:59Z"));
  CHECK_FALSE(parse_time("2263-01-01T00:00:00Z"));
  CHECK(parse_time("2262-04-11T23:47:16Z"));  // the clock's last whole second
  CHECK_FALSE(parse_time("2262-04-11T23:47:17Z"));
}

TEST_CASE("time text: negative and empty times are refused") {
  CHECK_FALSE(parse_time("-1"));
  CHECK_FALSE(parse_time(""));
}
