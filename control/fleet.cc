// Fleet: publish own verdicts, watch everyone's, decide by the rule (see fleet.hh).
#include "control/fleet.hh"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "control/time_text.hh"
#include "service/thread_priority.hh"

namespace control {
namespace {

using routing::MonitorStatus;
using routing::Reason;
using Clock = std::chrono::system_clock;

constexpr auto k_retry = std::chrono::milliseconds(500);  // between attempts while etcd is away

fleet::EtcdOptions etcd_options(const conf::FleetSection& config) {
  fleet::EtcdOptions options;
  options.endpoints = config.endpoints;
  options.ca_file = config.ca_file;
  options.cert_file = config.client_cert_file;
  options.key_file = config.client_key_file;
  options.user = config.user;
  options.password = std::string(config.password.reveal());
  return options;
}

std::optional<MonitorStatus> status_from(std::string_view text) {
  for (const auto status : {MonitorStatus::checking_endpoint, MonitorStatus::online,
                            MonitorStatus::degraded, MonitorStatus::stopped})
    if (routing::to_string(status) == text) return status;
  return std::nullopt;
}

// "verdicts/<profile>/<endpoint>/<instance>" or "overrides/<profile>/<endpoint>" after the
// prefix; profile names hold dots but never "/".
std::vector<std::string> split(std::string_view rest) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= rest.size()) {
    const auto slash = rest.find('/', at);
    const auto end = slash == std::string_view::npos ? rest.size() : slash;
    parts.emplace_back(rest.substr(at, end - at));
    at = end + 1;
  }
  return parts;
}

std::optional<Clock::time_point> time_field(const nlohmann::json& value, const char* name) {
  const auto it = value.find(name);
  if (it == value.end() || !it->is_string()) return std::nullopt;
  return parse_time(it->get<std::string>());
}

}  // namespace

Fleet::Fleet(const conf::FleetSection& config, Hooks hooks)
    : config_(config), rule_(config.rule), hooks_(std::move(hooks)), etcd_(etcd_options(config)) {}

Fleet::~Fleet() { stop(); }

void Fleet::start() {
  std::lock_guard lock(mutex_);
  if (publisher_.joinable()) return;
  stopping_ = false;
  hooks_.log(fmt::format("fleet: instance={} vantage={} rule={} etcd={} prefix={}", config_.name,
                         config_.vantage, fleet::to_string(rule_),
                         fmt::join(config_.endpoints, ","), config_.prefix));
  publisher_ = std::thread([this] {
    service::run_in_background("dnsd-fleet-pub");
    publish_loop();
  });
  watcher_ = std::thread([this] {
    service::run_in_background("dnsd-fleet-see");
    watch_loop();
  });
}

void Fleet::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!publisher_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  publisher_.join();  // revokes the lease on its way out
  etcd_.stop();       // ends the watch
  watcher_.join();
}

void Fleet::attach(std::shared_ptr<Generation> generation) {
  std::lock_guard lock(mutex_);
  generation_ = std::move(generation);
  targets_.clear();
  by_id_.clear();
  for (const auto& profile : generation_->config->model.profiles)
    for (const auto& endpoint : profile.endpoints) {
      if (endpoint.kind == routing::TargetKind::profile || !endpoint.enabled) continue;
      Key key{profile_key(profile.name), endpoint.name};
      targets_[key] = Target{key.first, key.second, endpoint.health_id};
      by_id_[endpoint.health_id] = key;
    }
  generation_->writer.set_local_listener(
      [this](routing::EndpointId id, routing::Health health) { on_local(id, health); });
  // What this instance probed so far (restored or carried over) is its first vote.
  for (const auto& [key, target] : targets_) pending_[key] = generation_->writer.local(target.id);
  std::vector<Key> all;
  for (const auto& [key, target] : targets_) all.push_back(key);
  decide(all);
  wake_.notify_all();
}

// The probe thread, after a verdict moved an endpoint's probed status: queue it and return.
void Fleet::on_local(routing::EndpointId id, routing::Health health) {
  std::unique_lock lock(mutex_);
  const auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  since_[it->second] = Clock::now();
  pending_[it->second] = health;
  if (!connected_.load(std::memory_order_acquire)) {
    // Cut off from the fleet: new decisions are this instance's own.
    if (generation_) generation_->writer.decided(id, std::nullopt, Reason::none);
    lock.unlock();
    if (hooks_.changed) hooks_.changed();
  }
  wake_.notify_all();
}

std::string Fleet::verdict_key(const Key& key) const {
  return fmt::format("{}verdicts/{}/{}/{}", config_.prefix, key.first, key.second, config_.name);
}

bool Fleet::wait_for(std::chrono::milliseconds period) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, period, [this] { return stopping_; });
  return !stopping_;
}

// Writes only what changed (pending_), plus a keep-alive every third of the lease. A new lease
// (first start, or the old one expired while etcd was away) re-publishes every verdict.
void Fleet::publish_loop() {
  std::int64_t lease = 0;
  std::string failing;  // the first error of an outage, logged once (each member fails its way)
  auto kept = Clock::now();
  const auto keep_every = std::chrono::milliseconds(config_.lease_ttl) / 3;
  const auto fail = [&](const std::string& error) {
    if (failing.empty()) hooks_.log(fmt::format("fleet: cannot publish: {}", error));
    failing = error;
  };
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (stopping_) break;
    }
    if (lease == 0) {
      if (const auto error = etcd_.grant_lease(config_.lease_ttl, lease); !error.empty()) {
        lease = 0;
        fail(error);
        wait_for(k_retry);
        continue;
      }
      kept = Clock::now();
      std::lock_guard lock(mutex_);
      published_.clear();  // a new lease holds nothing yet
      for (const auto& [key, target] : targets_)
        if (generation_) pending_[key] = generation_->writer.local(target.id);
    }
    if (const auto error = publish_all(lease, kept); !error.empty()) {
      if (error == "lease expired") {
        hooks_.log("fleet: lease expired: publishing every verdict again under a new one");
        lease = 0;
        continue;
      }
      fail(error);
      wait_for(k_retry);
      continue;
    }
    if (Clock::now() - kept >= keep_every) {
      const auto error = etcd_.keep_alive(lease);
      if (error == "lease expired") {
        hooks_.log("fleet: lease expired: publishing every verdict again under a new one");
        lease = 0;
        continue;
      }
      if (!error.empty()) {
        fail(error);
        wait_for(k_retry);
        continue;
      }
      kept = Clock::now();
    }
    if (!failing.empty()) hooks_.log("fleet: publishing again");
    failing.clear();
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, kept + keep_every, [this] { return stopping_ || !pending_.empty(); });
  }
  if (lease != 0) etcd_.revoke(lease);
}

// Puts every queued verdict, k_parallel_puts at a time (etcd commits concurrent proposals
// together, so a storm of changes costs a few round trips, not one per endpoint), renewing the
// lease meanwhile so a long batch cannot outlive it. A verdict not written goes back in the
// queue (unless a newer one came). Returns "" or the first error ("lease expired" when etcd no
// longer has the lease).
std::string Fleet::publish_all(std::int64_t lease, Clock::time_point& kept) {
  constexpr std::size_t k_parallel_puts = 8;
  std::map<Key, routing::Health> batch;
  std::vector<std::pair<Key, std::string>> items;  // key and value to put
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
    for (const auto& [key, health] : batch) {
      const auto last = published_.find(key);
      if (last != published_.end() && last->second.status == health.status &&
          last->second.reason == health.reason)
        continue;  // etcd has it already (a reload queues every endpoint again)
      nlohmann::json value{{"instance", config_.name},
                           {"vantage", config_.vantage},
                           {"state", routing::to_string(health.status)},
                           {"reason", static_cast<int>(health.reason)}};
      if (const auto at = since_.find(key); at != since_.end())
        value["since"] = format_time(at->second);
      const auto t = targets_.find(key);
      if (generation_ && t != targets_.end() && health.status == MonitorStatus::degraded)
        value["detail"] = generation_->history.get(t->second.id).last_failure;
      items.emplace_back(key, value.dump());
    }
  }
  std::vector<char> written(items.size(), 0);
  std::atomic<std::size_t> next{0};
  std::mutex done_mutex;
  std::condition_variable done;
  std::size_t running = std::min(k_parallel_puts, items.size());
  std::string error;
  const auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < items.size();) {
      auto failed = etcd_.put(verdict_key(items[i].first), items[i].second, lease);
      if (!failed.empty()) {
        if (failed.find("lease not found") != std::string::npos) failed = "lease expired";
        std::lock_guard lock(done_mutex);
        if (error.empty()) error = std::move(failed);
        next.store(items.size());  // the others stop after their put in flight
        break;
      }
      written[i] = 1;
      writes_.fetch_add(1, std::memory_order_relaxed);
    }
    std::lock_guard lock(done_mutex);
    if (--running == 0) done.notify_all();
  };
  std::vector<std::thread> workers;
  for (std::size_t w = 0, n = running; w < n; ++w) workers.emplace_back(work);
  const auto keep_every = std::chrono::milliseconds(config_.lease_ttl) / 3;
  {
    std::unique_lock lock(done_mutex);
    while (running > 0) {
      if (done.wait_until(lock, kept + keep_every, [&] { return running == 0; })) break;
      lock.unlock();
      const auto kept_alive = etcd_.keep_alive(lease);
      lock.lock();
      kept = Clock::now();
      if (!kept_alive.empty() && error.empty()) {
        error = kept_alive;
        next.store(items.size());
      }
    }
  }
  for (auto& worker : workers) worker.join();
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& health = batch.at(items[i].first);
    if (written[i])
      published_[items[i].first] = health;
    else
      pending_.try_emplace(items[i].first, health);
  }
  return error;
}

// Reads the whole prefix, then follows it; when etcd is away, retries until it is back.
void Fleet::watch_loop() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    fleet::Range range;
    if (const auto error = etcd_.get_prefix(config_.prefix, range); !error.empty()) {
      set_connected(false, error);
      if (!wait_for(k_retry)) return;
      continue;
    }
    read_all(range);
    set_connected(true, "");
    const auto error = etcd_.watch(config_.prefix, range.revision,
                                   [this](const std::vector<fleet::WatchEvent>& events) {
                                     std::vector<Key> touched;
                                     bool overrides = false;
                                     std::unique_lock lock(mutex_);
                                     for (const auto& e : events)
                                       apply_event(e, touched, overrides);
                                     decide(touched);
                                     if (overrides) emit_overrides(lock);
                                   });
    if (error.empty()) return;  // stopped
    set_connected(false, error);
    if (!wait_for(k_retry)) return;
  }
}

void Fleet::read_all(const fleet::Range& range) {
  std::unique_lock lock(mutex_);
  votes_.clear();
  overrides_.clear();
  std::vector<Key> touched;
  bool overrides = false;
  for (const auto& kv : range.kvs)
    apply_event(fleet::WatchEvent{fleet::WatchEvent::Type::put, kv}, touched, overrides);
  std::vector<Key> all;
  for (const auto& [key, target] : targets_) all.push_back(key);
  decide(all);
  emit_overrides(lock);
}

// With mutex_ held. A value that does not parse is ignored (another version, or a hand edit).
void Fleet::apply_event(const fleet::WatchEvent& event, std::vector<Key>& touched,
                        bool& overrides) {
  if (!event.kv.key.starts_with(config_.prefix)) return;
  const auto parts = split(std::string_view(event.kv.key).substr(config_.prefix.size()));
  const bool put = event.type == fleet::WatchEvent::Type::put;
  const auto value = put ? nlohmann::json::parse(event.kv.value, nullptr, false) : nlohmann::json();
  if (put && !value.is_object()) return;
  if (parts.size() == 4 && parts[0] == "verdicts") {
    Key key{parts[1], parts[2]};
    touched.push_back(key);
    if (!put) {
      votes_[key].erase(parts[3]);
      return;
    }
    const auto status = status_from(value.value("state", ""));
    if (!status) return;
    fleet::Vote vote;
    vote.vantage = value.value("vantage", parts[3]);
    vote.status = *status;
    vote.reason = static_cast<Reason>(value.value("reason", 0) & 0xff);
    vote.detail = value.value("detail", "");
    vote.since = time_field(value, "since").value_or(Clock::time_point{});
    votes_[key][parts[3]] = std::move(vote);
  } else if (parts.size() == 3 && parts[0] == "overrides") {
    Key key{parts[1], parts[2]};
    overrides = true;
    if (!put) {
      overrides_.erase(key);
      return;
    }
    overrides_[key] =
        Override{key.first, key.second, time_field(value, "from"), time_field(value, "until")};
  }
}

// With mutex_ held: the rule over the live votes of each key, written through the writer.
void Fleet::decide(const std::vector<Key>& keys) {
  if (!generation_ || keys.empty()) return;
  bool moved = false;
  for (const auto& key : keys) {
    const auto target = targets_.find(key);
    if (target == targets_.end()) continue;
    // One vote per vantage: two instances in one region count once, by the newer verdict.
    std::map<std::string, fleet::Vote> by_vantage;
    for (const auto& [instance, vote] : votes_[key]) {
      auto [it, fresh] = by_vantage.try_emplace(vote.vantage, vote);
      if (!fresh && vote.since > it->second.since) it->second = vote;
    }
    std::vector<fleet::Vote> votes;
    for (auto& [vantage, vote] : by_vantage) votes.push_back(std::move(vote));
    const routing::Health local = generation_->writer.local(target->second.id);
    fleet::Vote own{config_.vantage, local.status, local.reason, "", {}, true};
    const fleet::Decision decision = fleet::decide(rule_, votes, own);
    const auto before = generation_->health.load(target->second.id).status;
    generation_->writer.decided(target->second.id,
                                decision.local ? std::nullopt : std::optional(decision.status),
                                decision.reason);
    if (generation_->health.load(target->second.id).status != before) {
      moved = true;
      const std::string detail =
          fmt::format("{} -> {} ({})", routing::to_string(before),
                      routing::to_string(generation_->health.load(target->second.id).status),
                      decision.explanation);
      if (hooks_.log)
        hooks_.log(fmt::format("fleet: profile={} endpoint={} {}", key.first, key.second, detail));
      if (hooks_.event) hooks_.event("decision", key.first, key.second, detail);
    }
  }
  decisions_.fetch_add(1, std::memory_order_relaxed);
  if (moved && hooks_.changed) hooks_.changed();
}

// Called with mutex_ held by `lock`; hands the set over without it, since the Runtime takes its
// own lock, which it holds when it calls attach() or view() (lock order: Runtime, then Fleet).
void Fleet::emit_overrides(std::unique_lock<std::mutex>& lock) {
  if (!hooks_.overrides) return;
  std::vector<Override> all;
  for (const auto& [key, entry] : overrides_) all.push_back(entry);
  lock.unlock();
  hooks_.overrides(std::move(all));
  lock.lock();
}

// Only the watch thread calls it. The first report is made even when it is "unreachable"
// (connected_ starts false), so an instance that starts without etcd says so too.
void Fleet::set_connected(bool connected, const std::string& why) {
  if (connected_.exchange(connected) == connected && reported_) return;
  reported_ = true;
  if (hooks_.event) hooks_.event(connected ? "connected" : "disconnected", "", "", why);
  if (connected) {
    hooks_.log("fleet: connected to etcd: deciding with the fleet");
  } else {
    reconnects_.fetch_add(1, std::memory_order_relaxed);
    hooks_.log(fmt::format(
        "fleet: etcd unreachable ({}): decisions in force stay, new ones are local, overrides "
        "read last stay",
        why));
  }
}

std::string Fleet::put_override(const Override& entry) {
  nlohmann::json value{{"from", nullptr}, {"until", nullptr}};
  if (entry.from) value["from"] = format_time(*entry.from);
  if (entry.until) value["until"] = format_time(*entry.until);
  const auto error =
      etcd_.put(fmt::format("{}overrides/{}/{}", config_.prefix, entry.profile, entry.endpoint),
                value.dump());
  if (error.empty()) writes_.fetch_add(1, std::memory_order_relaxed);
  return error;
}

std::string Fleet::remove_override(const std::string& profile, const std::string& endpoint) {
  const auto error =
      etcd_.remove(fmt::format("{}overrides/{}/{}", config_.prefix, profile, endpoint));
  if (error.empty()) writes_.fetch_add(1, std::memory_order_relaxed);
  return error;
}

std::optional<FleetView> Fleet::view(const std::string& profile,
                                     const std::string& endpoint) const {
  std::lock_guard lock(mutex_);
  const Key key{profile, endpoint};
  const auto target = targets_.find(key);
  if (target == targets_.end() || !generation_) return std::nullopt;
  FleetView view;
  std::map<std::string, fleet::Vote> by_vantage;
  if (const auto it = votes_.find(key); it != votes_.end())
    for (const auto& [instance, vote] : it->second) by_vantage.try_emplace(vote.vantage, vote);
  for (auto& [vantage, vote] : by_vantage) view.votes.push_back(vote);
  const routing::Health local = generation_->writer.local(target->second.id);
  const fleet::Vote own{config_.vantage, local.status, local.reason, "", {}, true};
  view.decision = fleet::decide(rule_, view.votes, own);
  return view;
}

std::string Fleet::metrics() const {
  return fmt::format(
      "# HELP dnsd_fleet_connected 1 while this instance reads the fleet's verdicts from etcd.\n"
      "# TYPE dnsd_fleet_connected gauge\n"
      "dnsd_fleet_connected {}\n"
      "# HELP dnsd_fleet_etcd_writes_total Keys this instance wrote to etcd.\n"
      "# TYPE dnsd_fleet_etcd_writes_total counter\n"
      "dnsd_fleet_etcd_writes_total {}\n"
      "# HELP dnsd_fleet_disconnects_total Times etcd went out of reach.\n"
      "# TYPE dnsd_fleet_disconnects_total counter\n"
      "dnsd_fleet_disconnects_total {}\n",
      connected() ? 1 : 0, writes_.load(), reconnects_.load());
}

}  // namespace control
