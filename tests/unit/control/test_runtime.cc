// Runtime: reloads, admin reads, state-file saves and stop() running at once all end (no lock
// waits on another in a circle), and the last state-file write holds the newest config.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "conf/load.hh"
#include "config_fixture.hh"
#include "control/runtime.hh"

using namespace control;

namespace {

// A TCP monitor on a loopback port nothing listens on: probes run (and fail) fast.
std::string config(const std::string& state_file, bool with_added) {
  std::string out = control_test::zone_toml + R"([admin]
state_file = ")" + state_file +
                    R"("
[[profile]]
name = "ci.tm.test."
method = "priority"
[profile.monitor]
protocol = "tcp"
port = 9
interval = "100ms"
timeout = "50ms"
[[profile.endpoint]]
name = "eu"
target = "127.0.0.1"
priority = 1
)";
  if (with_added)
    out += "[[profile.endpoint]]\nname = \"added\"\ntarget = \"127.0.0.2\"\npriority = 2\n";
  return out;
}

struct Files {
  std::string dir = [] {
    char name[] = "/tmp/runtime-test-XXXXXX";
    return std::string(mkdtemp(name));
  }();
  std::string toml = dir + "/dnsd.toml";
  std::string state = dir + "/state.json";
  void write(bool with_added) const { std::ofstream(toml) << config(state, with_added); }
  std::string read_state() const {
    std::ifstream in(state);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  ~Files() {
    for (const auto& f : {toml, state, state + ".tmp"}) std::remove(f.c_str());
    rmdir(dir.c_str());
  }
};

std::unique_ptr<Runtime> runtime(const Files& files, std::vector<std::string>& lines) {
  auto loaded = conf::load_file(files.toml);
  std::string errors;
  for (const auto& e : loaded.errors) errors += e.to_string() + "\n";
  REQUIRE_MESSAGE(loaded.config, errors);
  RuntimeOptions options;
  options.log = [&lines](std::string_view line) { lines.emplace_back(line); };  // mutex held
  options.probe.log = [](std::string_view) {};
  return std::make_unique<Runtime>(files.toml, std::move(loaded.config), std::move(options));
}

std::size_t endpoints(const Runtime& r) {
  std::size_t count = 0;
  r.inspect([&](const Generation& g, const Overrides&) { count = g.config->model.endpoint_count; });
  return count;
}

}  // namespace

TEST_CASE(
    "runtime: reloads from two threads beside admin reads all succeed; the last save is the newest "
    "config") {
  Files files;
  files.write(false);
  std::vector<std::string> lines;
  auto r = runtime(files, lines);
  r->start();
  files.write(true);
  std::atomic<int> reloaded{0};
  std::atomic<bool> done{false}, read_ok{true};
  std::thread reader([&] {
    while (!done.load()) {
      if (endpoints(*r) < 1) read_ok = false;
      (void)r->admin_config();
      (void)r->last_reload();
    }
  });
  std::vector<std::thread> reloaders;
  for (int t = 0; t < 2; ++t)
    reloaders.emplace_back([&] {
      for (int i = 0; i < 3; ++i)
        if (r->reload().ok) ++reloaded;
    });
  for (auto& t : reloaders) t.join();
  done = true;
  reader.join();
  CHECK(read_ok);
  CHECK(reloaded == 6);
  CHECK(endpoints(*r) == 2);
  CHECK(r->last_reload().carried == 2);  // the last reload found both endpoints unchanged
  r->stop();
  const std::string saved = files.read_state();
  CHECK(saved.find(R"("endpoint":"added")") != std::string::npos);
  CHECK(saved.find(R"("endpoint":"eu")") != std::string::npos);
}

TEST_CASE("runtime: stop() while reloads run ends both, and a reload after stop() still succeeds") {
  Files files;
  files.write(false);
  std::vector<std::string> lines;
  auto r = runtime(files, lines);
  r->start();
  std::atomic<int> reloaded{0};
  std::thread reloader([&] {
    for (int i = 0; i < 3; ++i)
      if (r->reload().ok) ++reloaded;
  });
  r->stop();
  reloader.join();
  CHECK(reloaded == 3);
  CHECK(r->reload().ok);
  r->stop();  // a second stop() is a no-op
  CHECK(files.read_state().find(R"("endpoint":"eu")") != std::string::npos);
}
