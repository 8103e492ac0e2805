// Logging: level names, the two line formats, journal detection, and filtering on real stderr.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

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

TEST_CASE("logging: journal lines carry the syslog priority, plain lines are the message alone") {
  CHECK(format_line(Format::journal, Level::error, "dnsd: x") == "<3>dnsd: x");
  CHECK(format_line(Format::journal, Level::warning, "probe: y") == "<4>probe: y");
  CHECK(format_line(Format::journal, Level::info, "z") == "<6>z");
  CHECK(format_line(Format::journal, Level::debug, "z") == "<7>z");
  CHECK(format_line(Format::plain, Level::warning, "probe: eu Online -> Degraded") ==
        "probe: eu Online -> Degraded");
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
  set_level(Level::info);
  set_format(Format::plain);
}
