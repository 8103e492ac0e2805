// Logging: level names, the two line formats, journal detection, and filtering on real stderr.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "logging/log.hh"

using namespace logging;

namespace {

// Runs `body` with stderr redirected to a temporary file; returns what was written.
template <typename Body>
std::string capture_stderr(Body body) {
  char path[] = "/tmp/test_log_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  const int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  body();
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(path);
  return text.str();
}

}  // namespace

TEST_CASE("logging: level names parse and print") {
  for (const auto level : {Level::error, Level::warning, Level::info, Level::debug})
    CHECK(parse_level(to_string(level)) == level);
  CHECK(!parse_level("verbose"));
}

TEST_CASE("logging: journal lines carry the syslog priority, plain lines a timestamp first") {
  CHECK(format_line(Format::journal, Level::error, "dnsd: x") == "<3>dnsd: x");
  CHECK(format_line(Format::journal, Level::warning, "probe: y") == "<4>probe: y");
  CHECK(format_line(Format::journal, Level::info, "z") == "<6>z");
  CHECK(format_line(Format::journal, Level::debug, "z") == "<7>z");
  const auto at = Clock::time_point(std::chrono::milliseconds(1'796'531'759'123));
  CHECK(format_line(Format::plain, Level::warning, "probe: eu Online -> Degraded", at) ==
        "2026-12-06T04:35:59.123Z probe: eu Online -> Degraded");
}

TEST_CASE("logging: timestamps are RFC 3339 in UTC with milliseconds") {
  CHECK(rfc3339(Clock::time_point{}) == "1970-01-01T00:00:00.000Z");
  CHECK(rfc3339(Clock::time_point(std::chrono::milliseconds(951'782'400'007))) ==
        "2000-02-29T00:00:00.007Z");
  // The RFC 3339 §5.6 grammar: full-date "T" partial-time "Z".
  const std::string now = rfc3339(Clock::now());
  REQUIRE(now.size() == 24);
  for (const std::size_t i : {4u, 7u}) CHECK(now[i] == '-');
  CHECK(now[10] == 'T');
  CHECK(now[13] == ':');
  CHECK(now[16] == ':');
  CHECK(now[19] == '.');
  CHECK(now[23] == 'Z');
}

TEST_CASE("logging: a json line holds ts, level, msg, the module and the key=value fields") {
  const auto at = Clock::time_point(std::chrono::milliseconds(1'796'531'759'123));
  CHECK(format_line(Format::json, Level::warning,
                    "probe: profile=ci. endpoint=eu Online -> Degraded reason=\"http 503\"", at) ==
        R"({"ts":"2026-12-06T04:35:59.123Z","level":"warning",)"
        R"("msg":"probe: profile=ci. endpoint=eu Online -> Degraded reason=\"http 503\"",)"
        R"("module":"probe","profile":"ci.","endpoint":"eu","reason":"http 503"})");
  // No module word, no fields; a field named like a fixed key is not repeated.
  CHECK(format_line(Format::json, Level::info, "level=x ts=y plain text", at) ==
        R"({"ts":"2026-12-06T04:35:59.123Z","level":"info","msg":"level=x ts=y plain text"})");
}

TEST_CASE("logging: a json line stays valid JSON whatever bytes the message holds") {
  const auto at = Clock::time_point{};
  const std::string message = std::string("dnsd: bad \"q\" \\ tab\t nul") + '\0' + "\xff end";
  CHECK(format_line(Format::json, Level::error, message, at) ==
        R"({"ts":"1970-01-01T00:00:00.000Z","level":"error",)"
        R"("msg":"dnsd: bad \"q\" \\ tab\u0009 nul\u0000\u00ff end","module":"dnsd"})");
  // An unterminated quoted value ends with the message.
  CHECK(format_line(Format::json, Level::info, "x: k=\"open", at) ==
        R"({"ts":"1970-01-01T00:00:00.000Z","level":"info","msg":"x: k=\"open","module":"x",)"
        R"("k":"open"})");
}

TEST_CASE("logging: journal format only when JOURNAL_STREAM names our stderr") {
  struct stat st {};
  REQUIRE(fstat(STDERR_FILENO, &st) == 0);
  const std::string ours = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  setenv("JOURNAL_STREAM", ours.c_str(), 1);
  CHECK(detect_format() == Format::journal);
  // Inherited by a child whose stderr was redirected elsewhere: not the journal any more.
  const std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  setenv("JOURNAL_STREAM", other.c_str(), 1);
  CHECK(detect_format() == Format::plain);
  setenv("JOURNAL_STREAM", "garbage", 1);
  CHECK(detect_format() == Format::plain);
  unsetenv("JOURNAL_STREAM");
  CHECK(detect_format() == Format::plain);
}

TEST_CASE("logging: lines below the configured level are not written; one line per call") {
  set_format(Format::journal);
  set_level(Level::warning);
  const std::string text = capture_stderr([] {
    error("dnsd: e {}", 1);
    warning("dnsd: w");
    info("dnsd: i");
    debug("dnsd: d");
    write(Level::error, "two\nlines");
  });
  CHECK(text == "<3>dnsd: e 1\n<4>dnsd: w\n<3>two lines\n");
  set_level(Level::debug);
  CHECK(capture_stderr([] { debug("dnsd: d"); }) == "<7>dnsd: d\n");
  set_format(Format::json);
  const std::string json = capture_stderr([] { info("dnsd: two\nlines key=v"); });
  CHECK(json.find("\"msg\":\"dnsd: two\\u000alines key=v\",\"module\":\"dnsd\",\"key\":\"v\"}\n") !=
        std::string::npos);
  CHECK(json.find('\n') == json.size() - 1);
  set_level(Level::info);
  set_format(Format::plain);
}
