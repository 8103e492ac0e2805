// Verdict: curl codes, HTTP statuses, expected ranges, body checks and c-ares codes -> Reason.
#include <ares.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "probe/verdict.hh"
#include "service/libcurl.hh"

using probe::TransferOutcome;
using routing::Reason;

namespace {

struct Row {
  std::string what;
  CURLcode code;
  long status;
  std::string body;
  bool capped;
  std::vector<routing::StatusRange> expected;
  std::string expected_body;
  routing::Protocol protocol;
  bool ok;
  Reason reason;
  std::string detail;
};

using P = routing::Protocol;
const std::vector<routing::StatusRange> k_200{{200, 200}};
const std::vector<routing::StatusRange> k_2xx_403{{200, 299}, {403, 403}};

const std::vector<Row> k_rows = {
    {"200 in 200-200", CURLE_OK, 200, "", false, k_200, "", P::https, true, Reason::none, ""},
    {"503", CURLE_OK, 503, "", false, k_200, "", P::https, false, Reason::status, "http 503"},
    {"403 outside 200-200", CURLE_OK, 403, "", false, k_200, "", P::https, false, Reason::status,
     "http 403"},
    {"403 inside 200-299,403", CURLE_OK, 403, "", false, k_2xx_403, "", P::https, true,
     Reason::none, ""},
    {"204 inside 200-299", CURLE_OK, 204, "", false, k_2xx_403, "", P::http, true, Reason::none,
     ""},
    {"302 not listed: a failure", CURLE_OK, 302, "", false, k_2xx_403, "", P::https, false,
     Reason::status, "http 302"},
    {"302 listed",
     CURLE_OK,
     302,
     "",
     false,
     {{200, 200}, {302, 302}},
     "",
     P::https,
     true,
     Reason::none,
     ""},
    {"timeout", CURLE_OPERATION_TIMEDOUT, 0, "", false, k_200, "", P::https, false, Reason::timeout,
     "timeout after 500ms"},
    {"refused", CURLE_COULDNT_CONNECT, 0, "", false, k_200, "", P::https, false, Reason::refused,
     "connection refused"},
    {"untrusted certificate", CURLE_PEER_FAILED_VERIFICATION, 0, "", false, k_200, "", P::https,
     false, Reason::tls, "tls: what curl said"},
    {"handshake failure", CURLE_SSL_CONNECT_ERROR, 0, "", false, k_200, "", P::https, false,
     Reason::tls, "tls: what curl said"},
    {"bad CA file", CURLE_SSL_CACERT_BADFILE, 0, "", false, k_200, "", P::https, false, Reason::tls,
     "tls: what curl said"},
    {"curl resolving by itself", CURLE_COULDNT_RESOLVE_HOST, 0, "", false, k_200, "", P::https,
     false, Reason::dns, "dns: what curl said"},
    {"empty reply", CURLE_GOT_NOTHING, 0, "", false, k_200, "", P::http, false, Reason::other,
     "curl: what curl said"},
    {"body contains", CURLE_OK, 200, R"({"region":"eu"})", false, k_200, "\"eu\"", P::https, true,
     Reason::none, ""},
    {"body lacks", CURLE_OK, 200, R"({"region":"us"})", false, k_200, "\"eu\"", P::https, false,
     Reason::body, "body mismatch"},
    {"status checked before body", CURLE_OK, 503, "eu", false, k_200, "eu", P::https, false,
     Reason::status, "http 503"},
    {"body cut at the cap still checked", CURLE_WRITE_ERROR, 200, "eu...", true, k_200, "eu",
     P::https, true, Reason::none, ""},
    {"expected text past the cap", CURLE_WRITE_ERROR, 200, "xx...", true, k_200, "eu", P::https,
     false, Reason::body, "body mismatch"},
    {"write error without cap", CURLE_WRITE_ERROR, 200, "", false, k_200, "", P::https, false,
     Reason::other, "curl: what curl said"},
    {"tcp connect", CURLE_OK, 0, "", false, k_200, "", P::tcp, true, Reason::none, ""},
    {"tcp refused", CURLE_COULDNT_CONNECT, 0, "", false, k_200, "", P::tcp, false, Reason::refused,
     "connection refused"},
};

}  // namespace

TEST_CASE("verdict: transfers map to reasons in one switch") {
  for (const auto& row : k_rows) {
    CAPTURE(row.what);
    routing::MonitorSpec monitor;
    monitor.protocol = row.protocol;
    monitor.expected_status = row.expected;
    monitor.expected_body = row.expected_body;
    monitor.timeout = std::chrono::milliseconds(500);
    TransferOutcome outcome;
    outcome.code = row.code;
    outcome.http_status = row.status;
    outcome.body = row.body;
    outcome.body_capped = row.capped;
    outcome.error_text = "what curl said";
    outcome.rtt = std::chrono::milliseconds(3);
    const auto v = probe::classify_transfer(outcome, monitor);
    CHECK(v.ok == row.ok);
    CHECK(v.reason == row.reason);
    CHECK(v.detail == row.detail);
    if (row.ok) CHECK(v.rtt.count() == 3);
  }
}

TEST_CASE("verdict: without curl's error text the code's own text is used") {
  TransferOutcome outcome;
  outcome.code = CURLE_SSL_CONNECT_ERROR;
  const auto v = probe::classify_transfer(outcome, routing::MonitorSpec{});
  CHECK(v.reason == Reason::tls);
  CHECK(v.detail ==
        std::string("tls: ") + service::libcurl::easy_strerror(CURLE_SSL_CONNECT_ERROR));
}

TEST_CASE("verdict: resolution failures are dns failures with the DNS word") {
  const std::vector<std::pair<int, std::string>> rows = {
      {ARES_ENOTFOUND, "dns: NXDOMAIN"},
      {ARES_ENODATA, "dns: no address"},
      {ARES_SUCCESS, "dns: no address"},
      {ARES_ESERVFAIL, "dns: SERVFAIL"},
      {ARES_EREFUSED, "dns: REFUSED"},
      {ARES_ETIMEOUT, "dns: timeout"},
      {ARES_ECONNREFUSED, "dns: server refused connection"},
  };
  for (const auto& row : rows) {
    const int status = row.first;  // a named copy: CAPTURE's lambda cannot capture a binding
    CAPTURE(status);
    const auto v = probe::classify_resolution(status);
    CHECK_FALSE(v.ok);
    CHECK(v.reason == Reason::dns);
    CHECK(v.detail == row.second);
  }
}

TEST_CASE("verdict: status ranges are inclusive at both ends") {
  CHECK(probe::status_expected(200, k_2xx_403));
  CHECK(probe::status_expected(299, k_2xx_403));
  CHECK_FALSE(probe::status_expected(300, k_2xx_403));
  CHECK_FALSE(probe::status_expected(402, k_2xx_403));
  CHECK(probe::status_expected(403, k_2xx_403));
  CHECK_FALSE(probe::status_expected(200, {}));
}

TEST_CASE("verdict: a response header too large says so, not out of memory") {
  struct HeaderRow {
    std::string what;
    CURLcode code;
    bool header_capped;
    bool in_headers;
    std::string detail;
  };
  const std::vector<HeaderRow> rows = {
      {"our header bound stopped the run", CURLE_WRITE_ERROR, true, true,
       "http: response header too large"},
      {"curl refused a header line past its own bound", CURLE_OUT_OF_MEMORY, false, true,
       "http: response header too large"},
      {"out of memory after the headers is out of memory", CURLE_OUT_OF_MEMORY, false, false,
       "curl: what curl said"},
      {"a write error inside the headers is not ours", CURLE_WRITE_ERROR, false, true,
       "curl: what curl said"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    routing::MonitorSpec monitor;
    monitor.expected_status = k_200;
    TransferOutcome outcome;
    outcome.code = row.code;
    outcome.http_status = 200;
    outcome.header_capped = row.header_capped;
    outcome.in_headers = row.in_headers;
    outcome.error_text = "what curl said";
    const auto v = probe::classify_transfer(outcome, monitor);
    CHECK_FALSE(v.ok);
    CHECK(v.reason == Reason::other);
    CHECK(v.detail == row.detail);
  }
}
