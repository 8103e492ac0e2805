// Runtime: reload, manual overrides and maintenance windows (see runtime.hh).
#include "control/runtime.hh"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <utility>

#include "conf/files.hh"
#include "conf/record_drop.hh"
#include "control/key_rollover.hh"
#include "control/state_file.hh"
#include "control/time_text.hh"
#include "logging/log.hh"
#include "probe/log_line.hh"
#include "service/thread_priority.hh"

namespace control {

// How stale the state file may get while dnsd runs; it is also written at every stop.
constexpr auto k_save_interval = std::chrono::seconds(2);

Runtime::Runtime(std::string config_path, std::unique_ptr<const conf::Config> config,
                 RuntimeOptions options)
    : path_(std::move(config_path)),
      options_(std::move(options)),
      current_(std::make_shared<Generation>(std::move(config))),
      serving_(serving_state(*current_), options_.readers),
      fleet_(make_fleet()),
      state_path_(current_->config->admin.state_file) {
  publishing_.set_events([this](std::string_view event, const std::string& zone,
                                const std::string& secondary, std::uint32_t serial) {
    events_.publish(
        "secondary",
        {{"zone", zone}, {"secondary", secondary}, {"event", event}, {"serial", serial}});
  });
}

std::unique_ptr<Fleet> Runtime::make_fleet() {
  if (!current_->config->fleet.enabled) return nullptr;
  Fleet::Hooks hooks;
  hooks.log = [this](const std::string& line) {
    if (options_.log)
      options_.log(line);
    else
      logging::write(logging::Level::info, line);
  };
  hooks.overrides = [this](std::vector<Override> all) { take_fleet_overrides(std::move(all)); };
  hooks.changed = [this] { publishing_.poke(); };
  hooks.event = [this](std::string_view event, const std::string& profile,
                       const std::string& endpoint, const std::string& detail) {
    events_.publish(
        "fleet",
        {{"event", event},
         {"profile", profile.empty() ? nlohmann::json(nullptr) : nlohmann::json(profile)},
         {"endpoint", endpoint.empty() ? nlohmann::json(nullptr) : nlohmann::json(endpoint)},
         {"detail", detail}});
  };
  return std::make_unique<Fleet>(current_->config->fleet, std::move(hooks));
}

Runtime::~Runtime() { stop(); }

void Runtime::start() {
  std::lock_guard reloading(reload_mutex_);
  std::unique_lock lock(mutex_);
  if (running_) return;
  running_ = true;
  restore();
  for (const auto& error : write_missing_key_states()) log(error, logging::Level::warning);
  // Built first: it brings nested health in line with the restored words, which the first
  // publish then reads; probing starts once the zones are published.
  prober_ = make_prober(*current_);
  publishing_.start(current_);
  if (fleet_) {
    fleet_->attach(current_);
    fleet_->start();
  }
  prober_->start();
  // Below the query threads (service/thread_priority.hh): the state-file save and re-signing
  // run on these, and neither may delay an answer.
  timer_ = std::thread([this] {
    service::run_in_background("dnsd-timer");
    timer_loop();
  });
  resign_ = std::thread([this] {
    service::run_in_background("dnsd-resign");
    resign_loop();
  });
}

void Runtime::stop() {
  std::lock_guard reloading(reload_mutex_);
  {
    std::unique_lock lock(mutex_);
    if (!running_) return;
    running_ = false;
    if (prober_) prober_->stop();
    save(lock);
  }
  wake_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (resign_.joinable()) resign_.join();
  if (fleet_) fleet_->stop();  // without mutex_: its watch thread may be waiting for it
  publishing_.stop();
}

std::unique_ptr<probe::Prober> Runtime::make_prober(Generation& generation) {
  probe::Options options = options_.probe;
  options.history = &generation.history;
  options.on_change = [this] { publishing_.poke(); };
  options.on_transition = [this](const probe::Subscriber& who, const probe::StatusChange& change) {
    events_.publish("transition", {{"profile", profile_key(who.profile)},
                                   {"endpoint", who.endpoint},
                                   {"from", routing::to_string(change.from)},
                                   {"to", routing::to_string(change.to)},
                                   {"reason", routing::to_string(change.reason)},
                                   {"detail", change.detail}});
  };
  return std::make_unique<probe::Prober>(generation.config->model, generation.writer,
                                         generation.flat, std::move(options));
}

namespace {

// Changes a reload cannot apply to sockets that are already bound.
void note_restart_needed(const conf::Config& before, const conf::Config& after,
                         const std::function<void(const std::string&)>& log) {
  if (before.server.listen != after.server.listen || before.server.workers != after.server.workers)
    log("dnsd: reload: server.listen and server.workers take effect at the next restart");
  if (before.admin.enabled != after.admin.enabled ||
      before.admin.listen_address != after.admin.listen_address ||
      before.admin.listen_port != after.admin.listen_port)
    log("dnsd: reload: admin.enabled and admin.listen take effect at the next restart");
  if (before.admin.state_file != after.admin.state_file)
    log("dnsd: reload: admin.state_file takes effect at the next restart");
  if (before.fleet.enabled != after.fleet.enabled || before.fleet.name != after.fleet.name ||
      before.fleet.endpoints != after.fleet.endpoints || !(before.fleet.rule == after.fleet.rule) ||
      before.fleet.vantage != after.fleet.vantage || before.fleet.prefix != after.fleet.prefix)
    log("dnsd: reload: [fleet] takes effect at the next restart");
}

}  // namespace

// Only the swap holds mutex_: the config is read, the Generation built (the prepared answers of
// a big zone take seconds) and the next Prober made before, and the old ones freed after, so
// /metrics, the admin API and the state-file save never wait for them. reload_mutex_ (held
// throughout, and by start() and stop()) is what keeps prober_, running_ and current_ still
// while the slow steps read them without mutex_.
//
// Nothing learnt is lost between the carry-over copy and the swap: the old Prober, the only
// writer of probed health, flattened addresses and probe history, is stopped before the copy,
// and restore() runs only in start(). Queries keep reading the old, now frozen, table until
// publish(); that freeze lasts the copy and the Prober's construction (both grow with the
// endpoints, not with the zones). Admin bits written into the old table meanwhile are not
// copied and need not be: apply_overrides() sets the new table's from overrides_ under mutex_,
// after every disable() or enable() that got in before the swap.
ReloadReport Runtime::reload() {
  std::unique_lock reloading(reload_mutex_);
  return reload_held();
}

ReloadReport Runtime::reload_held() {
  ReloadReport report;
  report.at = WallClock::now();
  conf::LoadResult loaded = conf::load_file(path_);
  log_warnings(loaded.warnings);
  if (!loaded.config) return announce(reject(std::move(report), loaded.errors));
  // An emptied or truncated master file still loads (the SOA may come from the TOML): the
  // guard compares each zone's record count with the running one's.
  if (auto drops = conf::check_record_drop(*current_->config, *loaded.config); !drops.empty())
    return announce(reject(std::move(report), drops));
  auto next = std::make_shared<Generation>(std::move(loaded.config), overlays_);
  report.endpoints = next->config->model.endpoint_count;
  install(std::move(next), report, true);
  if (const auto errors = write_missing_key_states(); !errors.empty()) {
    std::lock_guard lock(mutex_);
    for (const auto& error : errors) log(error, logging::Level::warning);
  }
  return announce(std::move(report));
}

// The event carries the first few errors, each cut short: one event must stay one short line
// (the full list is in the reload's answer and the log).
ReloadReport Runtime::announce(ReloadReport report) {
  constexpr std::size_t k_max_errors = 16, k_max_error_bytes = 200;
  nlohmann::json errors = nlohmann::json::array();
  for (std::size_t i = 0; i < report.errors.size() && i < k_max_errors; ++i) {
    std::size_t cut = std::min(report.errors[i].size(), k_max_error_bytes);
    while (cut > 0 && cut < report.errors[i].size() &&
           (static_cast<unsigned char>(report.errors[i][cut]) & 0xC0) == 0x80)
      --cut;  // not inside a UTF-8 sequence
    errors.push_back(report.errors[i].substr(0, cut));
  }
  events_.publish("reload",
                  {{"ok", report.ok}, {"errors", errors}, {"endpoints", report.endpoints}});
  return report;
}

void Runtime::announce_override(std::string_view action, const Override& entry) {
  const auto time = [](const std::optional<WallClock::time_point>& at) {
    return at ? nlohmann::json(format_time(*at)) : nlohmann::json(nullptr);
  };
  events_.publish("override", {{"profile", entry.profile},
                               {"endpoint", entry.endpoint},
                               {"action", action},
                               {"from", time(entry.from)},
                               {"until", time(entry.until)}});
}

std::string Runtime::set_overlays(std::shared_ptr<const dnsd::update::Overlays> overlays) {
  std::unique_lock reloading(reload_mutex_);
  auto next = std::make_shared<Generation>(current_->config, overlays);
  if (!next->overlay_warnings.empty()) return next->overlay_warnings.front();
  overlays_ = std::move(overlays);
  ReloadReport report;
  report.at = WallClock::now();
  report.endpoints = next->config->model.endpoint_count;
  install(std::move(next), report, false);
  return {};
}

void Runtime::install(std::shared_ptr<Generation> next, ReloadReport& report, bool is_reload) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& warning : next->overlay_warnings)
      log(fmt::format("dnsd: update: {}", warning), logging::Level::warning);
  }
  if (prober_) prober_->stop();
  report.carried = carry_over(*current_, *next);
  // Made on the carried-over state: it resumes the trackers and derives nested health from it.
  // After swap_in() it holds the previous Prober, freed with `previous` outside the lock.
  std::unique_ptr<probe::Prober> prober = running_ ? make_prober(*next) : nullptr;
  // The secondaries' view of `next` must honour the overrides from the start (swap_in applies
  // them again, with any that came in meanwhile); its serials are set before it serves, its
  // NOTIFYs sent after (commit).
  {
    std::lock_guard lock(mutex_);
    apply_overrides(*next, WallClock::now());
  }
  publishing_.prepare(next);
  // Keeps the old Generation until publish() has returned, i.e. until no query thread reads it,
  // and frees it (unless a state-file write still holds it) after the lock is released.
  std::shared_ptr<const Generation> previous;
  {
    std::unique_lock lock(mutex_);
    previous = swap_in(std::move(next), prober);
    report.ok = true;
    if (is_reload) {
      log(fmt::format("dnsd: reloaded {}: {} profiles, {} endpoints, {} kept their health", path_,
                      current_->config->model.profiles.size(), report.endpoints, report.carried));
      last_reload_ = report;
    }
  }
  publishing_.commit();
  prober.reset();  // before `previous`, whose tables it points into
}

// With mutex_ held. `prober` is the next Generation's (or null when not running); it comes back
// holding the previous one, stopped, for the caller to free outside the lock.
std::shared_ptr<const Generation> Runtime::swap_in(std::shared_ptr<Generation> next,
                                                   std::unique_ptr<probe::Prober>& prober) {
  note_restart_needed(*current_->config, *next->config, [this](const std::string& l) { log(l); });
  std::shared_ptr<const Generation> previous = std::exchange(current_, std::move(next));
  std::swap(prober_, prober);
  for (const auto& gone : overrides_.retain([this](const std::string&p, const std::string&e) {
         return find_endpoint(p, e) != nullptr;
       }))
    log(fmt::format("admin: override dropped: profile={} endpoint={} is no longer in the config",
                    gone.profile, gone.endpoint));
  apply_overrides(WallClock::now());
  if (fleet_) fleet_->attach(current_);  // before the Prober: it sets the writer's listener
  if (prober_) prober_->start();
  serving_.publish(serving_state(*current_));
  return previous;
}

ReloadReport Runtime::reject(ReloadReport report, const std::vector<conf::Error>& errors) {
  std::unique_lock lock(mutex_);
  for (const auto& error : errors) {
    report.errors.push_back(error.to_string());
    log(fmt::format("dnsd: reload: {}", error.to_string()), logging::Level::warning);
  }
  log(fmt::format("dnsd: reload rejected: {} error{} in {}; the running config stays",
                  report.errors.size(), report.errors.size() == 1 ? "" : "s", path_),
      logging::Level::warning);
  last_reload_ = report;
  return report;
}

void Runtime::log_warnings(const std::vector<std::string>& warnings) {
  std::unique_lock lock(mutex_);
  for (const auto& warning : warnings)
    log(fmt::format("dnsd: reload: {}", warning), logging::Level::warning);
}

ReloadReport Runtime::last_reload() const {
  std::unique_lock lock(mutex_);
  return last_reload_;
}

const routing::Endpoint* Runtime::find_endpoint(const std::string& profile,
                                                std::string_view endpoint) const {
  for (const auto& p : current_->config->model.profiles) {
    if (profile_key(p.name) != profile) continue;
    for (const auto& e : p.endpoints)
      if (e.name == endpoint) return &e;
  }
  return nullptr;
}

std::string Runtime::disable(std::string_view profile, std::string_view endpoint,
                             std::optional<WallClock::time_point> from,
                             std::optional<WallClock::time_point> until) {
  const auto now = WallClock::now();
  if (until && *until <= now) return "the window's end is in the past";
  if (from && until && *from >= *until) return "the window's start is not before its end";
  {
    std::unique_lock lock(mutex_);
    const std::string key = profile_key(profile);
    if (!find_endpoint(key, endpoint))
      return fmt::format("no endpoint {} in profile {}", endpoint, key);
    if (fleet_) {
      // Written to etcd without the lock (the watch brings it to every instance); applied
      // here at once too. The endpoint was checked above.
      lock.unlock();
      if (auto error = fleet_->put_override(Override{key, std::string(endpoint), from, until});
          !error.empty())
        return fmt::format("the override was not stored in etcd: {}", error);
      lock.lock();
    }
    overrides_.disable(Override{key, std::string(endpoint), from, until});
    announce_override(from || until ? "window" : "disable",
                      Override{key, std::string(endpoint), from, until});
    log(fmt::format("admin: disabled profile={} endpoint={}{}{}", key, endpoint,
                    from ? " from=" + format_time(*from) : "",
                    until ? " until=" + format_time(*until) : ""));
    apply_overrides(now);  // after the line above: it logs the nested endpoints that follow
  }
  wake_.notify_all();  // a new window boundary for the timer
  return {};
}

std::string Runtime::enable(std::string_view profile, std::string_view endpoint) {
  std::unique_lock lock(mutex_);
  const std::string key = profile_key(profile);
  if (!find_endpoint(key, endpoint))
    return fmt::format("no endpoint {} in profile {}", endpoint, key);
  if (fleet_) {
    lock.unlock();
    if (auto error = fleet_->remove_override(key, std::string(endpoint)); !error.empty())
      return fmt::format("the override was not removed from etcd: {}", error);
    lock.lock();
  }
  overrides_.enable(key, std::string(endpoint));
  log(fmt::format("admin: enabled profile={} endpoint={}", key, endpoint));
  announce_override("enable", Override{key, std::string(endpoint), {}, {}});
  apply_overrides(WallClock::now());
  return {};
}

void Runtime::inspect(const std::function<void(const Generation&, const Overrides&)>& read) const {
  std::unique_lock lock(mutex_);
  read(*current_, overrides_);
}

std::shared_ptr<const Generation> Runtime::generation() const {
  std::unique_lock lock(mutex_);
  return current_;
}

conf::AdminConfig Runtime::admin_config() const {
  std::unique_lock lock(mutex_);
  return current_->config->admin;
}

// Sets every endpoint's admin bit from the overrides (one release store each, seen by the next
// query) through the writer, which recomputes the nested endpoints above the bits that moved.
void Runtime::apply_overrides(WallClock::time_point now) {
  apply_overrides(*current_, now);
  publishing_.poke();  // the secondaries' view follows at once
}

void Runtime::apply_overrides(Generation& generation, WallClock::time_point now) {
  std::vector<routing::HealthWriter::AdminBit> bits;
  bits.reserve(generation.config->model.endpoint_count);
  for (const auto& profile : generation.config->model.profiles) {
    const std::string key = profile_key(profile.name);
    for (const auto& endpoint : profile.endpoints)
      bits.push_back({endpoint.health_id, overrides_.disabled(key, endpoint.name, now)});
  }
  for (const auto& change : generation.writer.set_admin_disabled(bits))
    log(probe::nested_line(change));
}

// Ends maintenance windows on time: wakes at the next window boundary (at least once a second,
// which also covers the wall clock being set).
void Runtime::timer_loop() {
  std::unique_lock lock(mutex_);
  while (running_) {
    const auto now = WallClock::now();
    for (const auto& ended : overrides_.expire(now)) {
      log(fmt::format("admin: maintenance window ended: profile={} endpoint={}", ended.profile,
                      ended.endpoint));
      announce_override("enable", ended);  // with the window that ended
    }
    apply_overrides(now);
    if (now - saved_at_ >= k_save_interval) {
      save(lock);  // writes with the lock released: stop() may have run meanwhile
      if (!running_) break;
    }
    auto wake = now + std::chrono::seconds(1);
    if (const auto next = overrides_.next_change(now); next && *next < wake) wake = *next;
    wake_.wait_until(lock, wake);
  }
}

// Re-signs the signed zones when the earliest reaches its refresh point ([zone.dnssec] refresh):
// a new Generation of the same config and overlays, installed as a dynamic update is, so a
// signature is replaced well before it expires and none expired is ever served. Signing is the
// slow part and runs with only reload_mutex_ held; stop() holds that mutex while it joins this
// thread, hence the try_lock.
void Runtime::resign_loop() {
  std::unique_lock lock(mutex_);
  while (running_) {
    const dnsd::dnssec::Signatures* signatures = current_->served.signatures.get();
    if (signatures && signatures->empty()) signatures = nullptr;  // no zone could be signed
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    if (!signatures || now < signatures->refresh_at()) {
      const std::int64_t wait =
          signatures ? std::min<std::int64_t>(signatures->refresh_at() - now, 60) : 60;
      wake_.wait_for(lock, std::chrono::seconds(std::max<std::int64_t>(wait, 1)));
      continue;
    }
    lock.unlock();
    std::unique_lock reloading(reload_mutex_, std::try_to_lock);
    if (reloading.owns_lock()) {
      auto next = std::make_shared<Generation>(current_->config, overlays_);
      ReloadReport report;
      report.at = WallClock::now();
      report.endpoints = next->config->model.endpoint_count;
      const auto* made = next->served.signatures.get();
      const std::int64_t until = made ? made->expires_at() : 0;
      install(std::move(next), report, false);
      reloading.unlock();
      lock.lock();
      log(fmt::format("dnssec: re-signed the signed zones; valid until {}", until));
    } else {
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(1));
    }
  }
}

// The overrides in etcd replace this instance's, whoever wrote them; windows end here on time.
void Runtime::take_fleet_overrides(std::vector<Override> all) {
  {
    std::unique_lock lock(mutex_);
    Overrides next;
    for (auto& entry : all)
      if (find_endpoint(entry.profile, entry.endpoint)) next.disable(std::move(entry));
    overrides_ = std::move(next);
    if (running_) apply_overrides(WallClock::now());
  }
  wake_.notify_all();
}

void Runtime::restore() {
  if (state_path_.empty()) return;
  const auto now = WallClock::now();
  const RestoreReport report = restore_state(state_path_, *current_, overrides_, now);
  if (!report.found) {
    log(fmt::format("dnsd: no state file at {} yet: every endpoint starts in CheckingEndpoint",
                    state_path_));
    return;
  }
  if (!report.error.empty())
    log(fmt::format("dnsd: state file {}: {}", state_path_, report.error), logging::Level::warning);
  log(fmt::format("dnsd: state restored from {}: {} endpoints, {} overrides", state_path_,
                  report.endpoints, report.overrides));
  apply_overrides(now);
}

// Called with mutex_ held by `lock`; returns with it held again, but writes without it. Under
// the lock it only takes the snapshot: the current Generation (kept alive by the pointer; its
// HealthTable and ProbeHistory may be read from any thread) and a copy of the overrides.
// Tickets are taken in snapshot order, and a write whose ticket is older than the last one
// written is skipped, so two saves never interleave and the newest snapshot is the last write.
void Runtime::save(std::unique_lock<std::mutex>& lock) {
  if (state_path_.empty()) return;
  saved_at_ = WallClock::now();
  const std::uint64_t ticket = ++save_ticket_;
  const std::shared_ptr<const Generation> generation = current_;
  const Overrides overrides = overrides_;
  const WallClock::time_point at = saved_at_;
  lock.unlock();
  std::optional<std::string> error;
  {
    std::lock_guard writing(save_mutex_);
    if (ticket > written_ticket_) {
      error = save_state(state_path_, *generation, overrides, at);
      written_ticket_ = ticket;
    }
  }
  lock.lock();
  if (!error) return;                            // a newer snapshot was written first
  if (!error->empty() && *error != save_error_)  // once, not every 2 s
    log(fmt::format("dnsd: state file: {}", *error), logging::Level::warning);
  save_error_ = std::move(*error);
}

void Runtime::log(const std::string& line, logging::Level level) {
  if (options_.log)
    options_.log(line);
  else
    logging::write(level, line);
}

// Under reload_mutex_; returns what could not be written, for the caller to log.
std::vector<std::string> Runtime::write_missing_key_states() {
  std::vector<std::string> errors;
  for (const auto& keys : current_->config->dnssec) {
    if (keys.states_found) continue;
    std::string error = write_key_states(keys.state_file, keys.origin.to_text(), keys.states);
    if (!error.empty()) errors.push_back("dnssec: the key states are not kept: " + error);
  }
  return errors;
}

Runtime::KeyStepResult Runtime::key_step(std::string_view zone, std::uint16_t tag,
                                         dnsd::dnssec::KeyAction action) {
  using Outcome = KeyStepResult::Outcome;
  std::unique_lock reloading(reload_mutex_);
  const auto origin = dnsd::wire::Name::from_text(zone);
  const dnsd::dnssec::ZoneKeys* keys = nullptr;
  for (const auto& candidate : current_->config->dnssec)
    if (origin && candidate.origin == origin->lowercased()) keys = &candidate;
  if (!keys)
    return {Outcome::not_found, fmt::format("zone {} is not signed here (no [zone.dnssec])", zone)};
  dnsd::dnssec::RolloverWaits waits = keys->waits;
  for (const auto& served : current_->zones().zones())
    if (served->origin().lowercased() == keys->origin)
      waits.max_ttl = max_ttl(*served, current_->config->model);
  auto states = keys->states;
  if (std::none_of(states.begin(), states.end(), [&](const auto& key) { return key.tag == tag; }))
    return {Outcome::not_found,
            fmt::format("zone {} has no key with tag {} (see dnsctl key list)", zone, tag)};
  const std::string refused = dnsd::dnssec::key_step(
      states, tag, action, static_cast<std::int64_t>(std::time(nullptr)), waits);
  if (!refused.empty()) return {Outcome::refused, refused};
  // The file is what the reload reads; the old text goes back if the reload fails.
  std::string previous, ignored;
  const bool had_file = conf::read_file(keys->state_file, previous, &ignored);
  const std::string path = keys->state_file, zone_text = keys->origin.to_text();
  if (auto error = write_key_states(path, zone_text, states); !error.empty())
    return {Outcome::failed, error};
  const ReloadReport report = reload_held();  // `keys` is gone once it succeeds
  if (!report.ok) {
    if (had_file) write_text_file(path, previous);
    return {Outcome::failed, fmt::format("the config did not reload, so nothing changed: {}",
                                         report.errors.empty() ? "" : report.errors.front())};
  }
  const std::string_view action_text = dnsd::dnssec::to_text(action);
  {
    std::lock_guard lock(mutex_);
    log(fmt::format("dnssec: key step taken, zone re-signed zone={} key={} action={}", zone_text,
                    tag, action_text));
  }
  events_.publish("dnssec", {{"zone", zone_text}, {"key", tag}, {"action", action_text}});
  return {};
}

}  // namespace control
