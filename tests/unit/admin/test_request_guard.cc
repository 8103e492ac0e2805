// The admin request guard (Host check, bearer parsing), window times and the bounded error list
// of a reload report: pure functions, no socket.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "admin/request_guard.hh"
#include "admin/status_json.hh"
#include "admin/window_time.hh"
#include "control/time_text.hh"

TEST_CASE("bearer: the scheme is matched in any case and the token follows one or more spaces") {
  CHECK(admin::bearer_token("Bearer tok-1") == "tok-1");
  CHECK(admin::bearer_token("bearer tok-1") == "tok-1");
  CHECK(admin::bearer_token("BEARER tok-1") == "tok-1");
  CHECK(admin::bearer_token("Bearer    tok-1 ") == "tok-1");
  CHECK_FALSE(admin::bearer_token("Basic tok-1"));
  CHECK_FALSE(admin::bearer_token("Bearertok-1"));
  CHECK_FALSE(admin::bearer_token("Bearer "));
  CHECK_FALSE(admin::bearer_token("tok-1"));
  CHECK_FALSE(admin::bearer_token(""));
}

TEST_CASE("host: IP literals, localhost and configured names pass; other names do not") {
  const std::vector<std::string> names{"dnsd.example.net"};
  for (const char* host :
       {"", "127.0.0.1", "127.0.0.1:8053", "192.0.2.1", "[::1]", "[::1]:8053", "localhost",
        "LocalHost:8053", "localhost.", "dnsd.example.net", "DNSD.example.NET.:8053"})
    CHECK_MESSAGE(admin::host_allowed(host, names), host);
  for (const char* host :
       {"evil.example", "evil.example:8053", "127.0.0.1.evil.example", "localhost.evil.example",
        "dnsd.example.net.evil.example", "[evil]", "[::1", "127.0.0.1:80x", "127.0.0.1:", ":8053",
        "::1", "sub.dnsd.example.net"})
    CHECK_FALSE_MESSAGE(admin::host_allowed(host, names), host);
  CHECK_FALSE(admin::host_allowed("dnsd.example.net", {}));
}

TEST_CASE("window time: far future and pre-1970 times are refused, the last second is kept") {
  std::string error;
  for (const char* text : {"9999-12-31T23:59:59Z", "2262-04-11T23:47:17Z", "9223372037",
                           "99999999999999999999999", "-1", "1969-12-31T23:59:59Z"}) {
    error.clear();
    CHECK_FALSE_MESSAGE(admin::parse_window_time("until", text, &error), text);
    CHECK(error ==
          "until is out of range: it must lie between 1970-01-01T00:00:00Z and "
          "2262-04-11T23:47:16Z");
  }
  const auto last = admin::parse_window_time("until", "2262-04-11T23:47:16Z", &error);
  REQUIRE(last);
  CHECK(control::format_time(*last) == "2262-04-11T23:47:16Z");
  CHECK(admin::parse_window_time("until", "9223372036", &error) == last);
  CHECK_FALSE(admin::parse_window_time("from", "tomorrow", &error));
  CHECK(error == "from must be a UTC time such as 2026-11-24T03:00:00Z");
}

TEST_CASE("reload report: at most 64 errors of at most 200 bytes, cut on a UTF-8 boundary") {
  // conf/ reports at most 51 lines; this is the API's own bound on any report.
  control::ReloadReport report;
  report.at = control::WallClock::from_time_t(1795489200);
  for (int i = 0; i < 1000; ++i) report.errors.push_back(std::string(199, 'x') + "\xc3\xa9tail");
  const auto json = admin::reload_json(report);
  const auto& errors = json["errors"];
  REQUIRE(errors.size() == 65);
  CHECK(errors[0].get<std::string>() == std::string(199, 'x') + "…");
  CHECK(errors[64].get<std::string>() == "and 936 more errors");
  report.errors = {"short"};
  CHECK(admin::reload_json(report)["errors"] == nlohmann::json::array({"short"}));
}
