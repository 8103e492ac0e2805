// Fleet: this instance's part in a fleet of dnsd instances sharing health through etcd (README
// "Running a fleet"). Publishes this instance's own verdict per endpoint under its lease, only
// when it changes; watches every vantage's verdicts and the fleet's overrides (one watch on the
// prefix); applies the rule (fleet/rule.hh) and writes each endpoint's fleet state through the
// current Generation's HealthWriter the moment a deciding verdict arrives.
//
// Never on the query path, and no etcd call is made under a lock the query path or the probes
// take: the probe thread only queues a changed verdict (HealthWriter's listener) and returns.
// etcd out of reach: decisions in force stay, new local changes decide alone, the overrides read
// last stay, and the two threads retry until etcd is back, then re-publish, re-read, re-watch.
//
// Keys under [fleet] prefix:
//   verdicts/<profile>/<endpoint>/<instance>  {"vantage","state","reason","detail","since"}
//   (leased) overrides/<profile>/<endpoint>            {"from","until"} (RFC 3339 or null; no
//   lease)
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "conf/config.hh"
#include "control/generation.hh"
#include "control/overrides.hh"
#include "fleet/etcd_client.hh"
#include "fleet/rule.hh"

namespace control {

// One endpoint as the fleet sees it, for status and explain.
struct FleetView {
  fleet::Decision decision;
  std::vector<fleet::Vote> votes;  // by vantage name
};

class Fleet {
 public:
  struct Hooks {
    std::function<void(const std::string&)> log;  // one line, any thread
    // The whole set of overrides in etcd, each time it changes (from the watch thread). The
    // Runtime takes it as its overrides and applies them.
    std::function<void(std::vector<Override>)> overrides;
    std::function<void()> changed;  // health moved: Publishing::poke()
    // For the event stream: "connected", "disconnected" (profile and endpoint empty) or
    // "decision" (an endpoint's state as decided moved; detail: from -> to and why). Any
    // thread; must not block. May be empty.
    std::function<void(std::string_view event, const std::string& profile,
                       const std::string& endpoint, const std::string& detail)>
        event;
  };

  Fleet(const conf::FleetSection& config, Hooks hooks);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  void start();
  void stop();  // revokes the lease, so the others stop counting this instance at once

  // The Generation decisions are written to: at start and after each reload, before its
  // Prober starts (it sets the writer's listener). The previous one is let go.
  void attach(std::shared_ptr<Generation> generation);

  // Operator overrides, written to etcd (blocking; the admin thread). "" on success.
  std::string put_override(const Override& entry);
  std::string remove_override(const std::string& profile, const std::string& endpoint);

  bool connected() const noexcept { return connected_.load(std::memory_order_acquire); }
  std::optional<FleetView> view(const std::string& profile, const std::string& endpoint) const;
  const conf::FleetSection& config() const noexcept { return config_; }
  std::string rule_text() const { return fleet::to_string(rule_); }
  // The dnsd_fleet_* metrics, in Prometheus text.
  std::string metrics() const;

 private:
  struct Target {  // one probed endpoint of the attached Generation
    std::string profile, endpoint;
    routing::EndpointId id;
  };
  using Key = std::pair<std::string, std::string>;  // (profile_key, endpoint name)

  void publish_loop();
  void watch_loop();
  std::string publish_all(std::int64_t lease, std::chrono::system_clock::time_point& kept);
  void read_all(const fleet::Range& range);
  void apply_event(const fleet::WatchEvent& event, std::vector<Key>& touched, bool& overrides);
  void decide(const std::vector<Key>& keys);  // with mutex_ held
  void emit_overrides(std::unique_lock<std::mutex>& lock);
  void set_connected(bool connected, const std::string& why);
  void on_local(routing::EndpointId id, routing::Health health);
  std::string verdict_key(const Key& key) const;
  bool wait_for(std::chrono::milliseconds period);  // false when stopping

  conf::FleetSection config_;
  fleet::Rule rule_;
  Hooks hooks_;
  fleet::EtcdClient etcd_;

  mutable std::mutex mutex_;  // everything below but the atomics
  std::condition_variable wake_;
  std::shared_ptr<Generation> generation_;
  std::map<Key, Target> targets_;
  std::map<routing::EndpointId, Key> by_id_;
  std::map<Key, std::map<std::string, fleet::Vote>> votes_;  // by instance name
  std::map<Key, Override> overrides_;
  std::map<Key, std::chrono::system_clock::time_point> since_;  // own verdict's last change
  std::map<Key, routing::Health> pending_;                      // own verdicts to publish
  std::map<Key, routing::Health> published_;                    // what etcd holds of ours
  bool republish_ = false;
  bool stopping_ = false;
  std::atomic<bool> connected_{false};
  bool reported_ = false;  // set_connected() has said a state (the watch thread's own)
  std::atomic<std::uint64_t> writes_{0}, reconnects_{0}, decisions_{0};
  std::thread publisher_, watcher_;
};

}  // namespace control
