// etcd_driver: one fleet::EtcdClient driven line by line from stdin, for the python tests that
// hold a real etcd cluster (tests/integration/test_etcd_client.py). Each command answers one JSON
// line on stdout; a watch runs on its own thread and prints one line per event. Not a user tool.
//   put KEY VALUE [LEASE] | remove KEY | get PREFIX | grant TTL_S | keepalive LEASE | revoke LEASE
//   watch PREFIX AFTER_REVISION | stop | latency PREFIX COUNT | parallel PREFIX THREADS COUNT |
//   quit
// Options from the environment: ETCD_ENDPOINTS (comma-separated), ETCD_CA, ETCD_CERT, ETCD_KEY,
// ETCD_USER, ETCD_PASSWORD, ETCD_TIMEOUT_MS, ETCD_WATCH_SILENCE_MS.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fleet/etcd_client.hh"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::mutex output_mutex;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

void emit(json line) {
  line["t_ns"] = now_ns();
  std::lock_guard lock(output_mutex);
  std::cout << line.dump() << std::endl;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

fleet::EtcdOptions options_from_env() {
  fleet::EtcdOptions options;
  std::stringstream endpoints(env("ETCD_ENDPOINTS"));
  for (std::string endpoint; std::getline(endpoints, endpoint, ',');) {
    if (!endpoint.empty()) options.endpoints.push_back(endpoint);
  }
  options.ca_file = env("ETCD_CA");
  options.cert_file = env("ETCD_CERT");
  options.key_file = env("ETCD_KEY");
  options.user = env("ETCD_USER");
  options.password = env("ETCD_PASSWORD");
  if (const auto ms = env("ETCD_TIMEOUT_MS"); !ms.empty()) {
    options.timeout = std::chrono::milliseconds(std::stol(ms));
  }
  if (const auto ms = env("ETCD_WATCH_SILENCE_MS"); !ms.empty()) {
    options.watch_silence = std::chrono::milliseconds(std::stol(ms));
  }
  return options;
}

json event_json(const fleet::WatchEvent& event) {
  return {{"event", event.type == fleet::WatchEvent::Type::put ? "put" : "remove"},
          {"key", event.kv.key},
          {"value", event.kv.value},
          {"rev", event.kv.mod_revision},
          {"lease", event.kv.lease}};
}

// put→event latency: a watch on its own thread, then `count` puts one after another, each
// waiting for its event (bounded by the client timeout).
json measure_latency(fleet::EtcdOptions options, const std::string& prefix, int count) {
  fleet::EtcdClient client(options);
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<Clock::time_point> seen(static_cast<std::size_t>(count));
  std::vector<bool> got(static_cast<std::size_t>(count), false);
  std::string watch_error;
  bool any = false;  // an event arrived
  std::thread watcher([&] {
    watch_error = client.watch(prefix, 0, [&](const std::vector<fleet::WatchEvent>& events) {
      const auto at = Clock::now();
      std::lock_guard lock(mutex);
      any = true;
      for (const auto& event : events) {
        const int i = std::atoi(event.kv.value.c_str());
        if (i >= 0 && i < count) seen[i] = at, got[i] = true;
      }
      arrived.notify_all();
    });
  });
  // The watch is created asynchronously: a put repeated until its event arrives tells it is live.
  std::string error;
  for (int attempt = 0; attempt < 50 && error.empty(); ++attempt) {
    error = client.put(prefix + "ready", "-1");
    std::unique_lock lock(mutex);
    if (arrived.wait_for(lock, std::chrono::milliseconds(200), [&] { return any; })) break;
  }
  std::vector<double> ms;
  for (int i = 0; i < count && error.empty(); ++i) {
    const auto start = Clock::now();
    error = client.put(prefix + std::to_string(i), std::to_string(i));
    std::unique_lock lock(mutex);
    if (!arrived.wait_for(lock, options.timeout, [&] { return bool(got[i]); })) {
      error = "event " + std::to_string(i) + " not seen within the timeout";
      break;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(seen[i] - start).count());
  }
  client.stop();
  watcher.join();
  std::sort(ms.begin(), ms.end());
  json out{{"error", error}, {"n", ms.size()}};
  if (!ms.empty()) {
    out["median_ms"] = ms[ms.size() / 2];
    out["max_ms"] = ms.back();
    out["min_ms"] = ms.front();
  }
  return out;
}

// `threads` threads on one client, each putting `count` keys under its own prefix and reading
// them back: the client shared between threads.
json run_parallel(fleet::EtcdClient& client, const std::string& prefix, int threads, int count) {
  std::vector<std::string> errors(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::string mine = prefix + std::to_string(t) + "/";
      std::string& error = errors[static_cast<std::size_t>(t)];
      for (int i = 0; i < count && error.empty(); ++i) {
        error = client.put(mine + std::to_string(i), std::to_string(i));
      }
      fleet::Range range;
      if (error.empty()) error = client.get_prefix(mine, range);
      if (error.empty() && range.kvs.size() != static_cast<std::size_t>(count)) {
        error = mine + ": read back " + std::to_string(range.kvs.size()) + " keys";
      }
    });
  }
  for (auto& worker : workers) worker.join();
  std::string first;
  for (const auto& error : errors) {
    if (first.empty()) first = error;
  }
  return {{"error", first}};
}

}  // namespace

int main() {
  const fleet::EtcdOptions options = options_from_env();
  fleet::EtcdClient client(options);
  std::thread watcher;
  for (std::string line; std::getline(std::cin, line);) {
    std::stringstream words(line);
    std::string command, a, b, c;
    words >> command >> a >> b >> c;
    const auto start = Clock::now();
    json reply{{"cmd", command}};
    if (command == "put") {
      reply["error"] = client.put(a, b, c.empty() ? 0 : std::stoll(c));
    } else if (command == "remove") {
      reply["error"] = client.remove(a);
    } else if (command == "get") {
      fleet::Range range;
      reply["error"] = client.get_prefix(a, range);
      reply["revision"] = range.revision;
      reply["kvs"] = json::array();
      for (const auto& kv : range.kvs) {
        reply["kvs"].push_back(
            {{"key", kv.key}, {"value", kv.value}, {"rev", kv.mod_revision}, {"lease", kv.lease}});
      }
    } else if (command == "grant") {
      std::int64_t lease = 0;
      reply["error"] = client.grant_lease(std::chrono::seconds(std::stol(a)), lease);
      reply["lease"] = lease;
    } else if (command == "keepalive") {
      reply["error"] = client.keep_alive(std::stoll(a));
    } else if (command == "revoke") {
      reply["error"] = client.revoke(std::stoll(a));
    } else if (command == "watch" && !watcher.joinable()) {
      watcher = std::thread([&client, prefix = a, after = std::stoll(b)] {
        const std::string error = client.watch(prefix, after, [](const auto& events) {
          for (const auto& event : events) emit(event_json(event));
        });
        emit({{"watch_end", error}});
      });
      reply["error"] = "";
    } else if (command == "stop") {
      client.stop();
      if (watcher.joinable()) watcher.join();
      reply["error"] = "";
    } else if (command == "parallel") {
      reply = run_parallel(client, a, std::stoi(b), std::stoi(c));
      reply["cmd"] = command;
    } else if (command == "latency") {
      reply = measure_latency(options, a, std::stoi(b));
      reply["cmd"] = command;
    } else if (command == "quit") {
      break;
    } else {
      reply["error"] = "driver: unknown command: " + command;
    }
    reply["elapsed_ms"] = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    emit(reply);
  }
  client.stop();
  if (watcher.joinable()) watcher.join();
  return 0;
}
