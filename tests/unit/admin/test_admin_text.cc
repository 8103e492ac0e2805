// The admin API's token check and time texts.
#include <doctest/doctest.h>

#include "admin/api.hh"
#include "control/time_text.hh"

TEST_CASE("token: only the exact token matches; an empty configured token matches nothing") {
  const routing::Secret token("tok-0123456789abcdef");
  CHECK(admin::token_matches("tok-0123456789abcdef", token));
  CHECK_FALSE(admin::token_matches("tok-0123456789abcde", token));
  CHECK_FALSE(admin::token_matches("tok-0123456789abcdef0", token));
  CHECK_FALSE(admin::token_matches("", token));
  CHECK_FALSE(admin::token_matches("", routing::Secret()));
}

TEST_CASE("time text: RFC 3339 UTC both ways, and Unix seconds on input") {
  const auto at = control::WallClock::from_time_t(1795489200);
  CHECK(control::format_time(at) == "2026-11-24T03:00:00Z");
  CHECK(control::parse_time("2026-11-24T03:00:00Z") == at);
  CHECK(control::parse_time("2026-11-24T03:00:00+00:00") == at);
  CHECK(control::parse_time("1795489200") == at);
  CHECK_FALSE(control::parse_time("2026-11-24T03:00:00+01:00"));  // UTC only
  CHECK_FALSE(control::parse_time("tomorrow"));
  CHECK_FALSE(control::parse_time(""));
}
