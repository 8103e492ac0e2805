// State file: a save/restore round trip on real configs, and what is not restored.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "config_fixture.hh"
#include "control/state_file.hh"

using namespace control;
using control_test::generation;
using routing::MonitorStatus;
using routing::Reason;
using std::chrono::seconds;

namespace {

std::string config(const std::string& eu_target, const std::string& secret_file) {
  return control_test::zone_toml + R"([[profile]]
name = "ci.tm.test."
method = "priority"
[profile.monitor]
protocol = "http"
[[profile.monitor.header]]
name = "Authorization"
value_file = ")" +
         secret_file + R"("
[[profile.endpoint]]
name = "eu"
target = ")" +
         eu_target + R"("
priority = 1
[[profile.endpoint]]
name = "us"
target = "192.0.2.2"
priority = 2
)";
}

struct Files {
  std::string dir = [] {
    char name[] = "/tmp/state-test-XXXXXX";
    return std::string(mkdtemp(name));
  }();
  std::string secret = dir + "/secret";
  std::string state = dir + "/state.json";
  Files() { std::ofstream(secret) << "Basic c2VjcmV0LXBhc3N3b3Jk"; }
  ~Files() {
    std::remove(secret.c_str());
    std::remove(state.c_str());
    rmdir(dir.c_str());
  }
};

}  // namespace

TEST_CASE(
    "state file: states, history and live overrides come back; ended windows and changed endpoints "
    "do not") {
  Files files;
  const auto now = WallClock::now();
  auto before = generation(config("192.0.2.1", files.secret));
  before->writer.probed(0, MonitorStatus::degraded, Reason::timeout, 0);
  before->writer.probed(1, MonitorStatus::online, Reason::none, 9);
  probe::Verdict failed;
  failed.reason = Reason::timeout;
  failed.detail = "timeout after 500ms";
  before->history.record(0, failed, {MonitorStatus::degraded, 2, 0, Reason::timeout, 0},
                         now - seconds(1));
  Overrides overrides;
  overrides.disable({"ci.tm.test.", "us", std::nullopt, now + seconds(3600)});
  overrides.disable({"ci.tm.test.", "eu", std::nullopt, now + seconds(1)});
  REQUIRE(save_state(files.state, *before, overrides, now).empty());

  std::ifstream in(files.state);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("c2VjcmV0") == std::string::npos);  // no header value, not even in part

  auto after = generation(config("192.0.2.1", files.secret));
  Overrides restored;
  const auto report = restore_state(files.state, *after, restored, now + seconds(5));
  CHECK(report.found);
  CHECK(report.error.empty());
  CHECK(report.endpoints == 2);
  CHECK(report.overrides == 1);  // eu's window ended while "dnsd was down"
  CHECK(restored.disabled("ci.tm.test.", "us", now + seconds(5)));
  CHECK(restored.find("ci.tm.test.", "eu") == nullptr);
  CHECK(after->health.load(0).status == MonitorStatus::degraded);
  CHECK(after->health.load(1).rtt_ms == 9);
  const auto record = after->history.get(0);
  CHECK(record.last_failure == "timeout after 500ms");
  CHECK(record.tracker.failure_run == 2);
  REQUIRE(record.recent.size() == 1);
  CHECK(std::chrono::abs(record.recent[0].at - (now - seconds(1))) < std::chrono::milliseconds(1));

  auto moved = generation(config("192.0.2.7", files.secret));
  Overrides ignored;
  CHECK(restore_state(files.state, *moved, ignored, now).endpoints == 1);
  CHECK(moved->health.load(0).status == MonitorStatus::checking_endpoint);
}

TEST_CASE("state file: none yet is a first start; garbage restores nothing and says so") {
  Files files;
  auto g = generation(config("192.0.2.1", files.secret));
  Overrides overrides;
  CHECK_FALSE(restore_state(files.state, *g, overrides, WallClock::now()).found);
  std::ofstream(files.state) << "{\"version\": 7}";
  const auto report = restore_state(files.state, *g, overrides, WallClock::now());
  CHECK(report.found);
  CHECK(report.error == "not a dnsd state file of version 1");
  CHECK(report.endpoints == 0);
}

TEST_CASE("state file: a FIFO in its place is reported at once, not waited on") {
  Files files;
  auto g = generation(config("192.0.2.1", files.secret));
  Overrides overrides;
  REQUIRE(::mkfifo(files.state.c_str(), 0600) == 0);
  // Without a non-blocking open this call never returns: no one writes to the FIFO.
  const auto report = restore_state(files.state, *g, overrides, WallClock::now());
  CHECK(report.found);
  CHECK(report.error.find("not a regular file (it is a FIFO)") != std::string::npos);
  CHECK(report.endpoints == 0);
}

TEST_CASE("state file: an endpoint's status changes and since come back after a restart") {
  Files files;
  const auto now = WallClock::now();
  auto before = generation(config("192.0.2.1", files.secret));
  before->history.changed(0, {now - seconds(9), MonitorStatus::checking_endpoint,
                              MonitorStatus::online, Reason::none, ""});
  before->history.changed(0, {now - seconds(4), MonitorStatus::online, MonitorStatus::degraded,
                              Reason::status, "http 503"});
  Overrides overrides;
  REQUIRE(save_state(files.state, *before, overrides, now).empty());

  auto after = generation(config("192.0.2.1", files.secret));
  Overrides restored;
  REQUIRE(restore_state(files.state, *after, restored, now).error.empty());
  const auto record = after->history.get(0);
  REQUIRE(record.changes.size() == 2);
  CHECK(record.changes[1].to == MonitorStatus::degraded);
  CHECK(record.changes[1].reason == Reason::status);
  CHECK(record.changes[1].detail == "http 503");
  CHECK(std::chrono::abs(record.since - (now - seconds(4))) < std::chrono::milliseconds(1));
  CHECK(after->history.get(1).changes.empty());
}
