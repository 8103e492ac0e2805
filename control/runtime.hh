// Runtime: the running configuration and everything an operator can change while dnsd runs.
// Owns the ServingSlot the query threads read, the current Generation, the Prober, the manual
// overrides and the maintenance-window timer. Reload (SIGHUP or the admin API) and admin
// changes are serialised by one mutex, held only for swaps and short reads (a reload builds
// and a state-file save writes without it); the query path never takes it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "conf/load.hh"  // Config, Error; Runtime::reload() calls load_file()
#include "control/events.hh"
#include "control/fleet.hh"
#include "control/generation.hh"
#include "control/overrides.hh"
#include "control/publishing.hh"
#include "dnsd/engine.hh"
#include "logging/log.hh"
#include "probe/prober.hh"

namespace control {

struct ReloadReport {
  bool ok = false;
  WallClock::time_point at{};
  std::vector<std::string> errors;  // conf::Error::to_string() lines when !ok
  std::size_t endpoints = 0;
  std::size_t carried = 0;  // endpoints that kept their health and history
};

struct RuntimeOptions {
  std::size_t readers = 1;  // query threads of the ServingSlot
  // One line per event (no newline); empty: stderr. Called with the Runtime's mutex held.
  std::function<void(std::string_view)> log;
  probe::Options probe;  // history is set by the Runtime
};

class Runtime {
 public:
  Runtime(std::string config_path, std::unique_ptr<const conf::Config> config,
          RuntimeOptions options);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  dnsd::Serving& serving() noexcept { return serving_; }
  // The current Prober (for its statistics after stop()); valid until the next reload.
  const probe::Prober& prober() const noexcept { return *prober_; }

  // Restores the state file (if configured), starts probing and the window timer; stop() ends
  // both and writes the state file a last time (and is safe to call twice).
  void start();
  void stop();

  // Re-reads the config file. A config with errors changes nothing; a good one is swapped in
  // whole (see generation.hh for what carries over). One at a time (a second call waits for the
  // first); inspect() and the admin calls wait only for the swap, not for the build.
  ReloadReport reload();
  ReloadReport last_reload() const;

  // Serves `overlays` (the records dynamic updates hold) on top of the running config: the next
  // Generation is made from the same config, like a reload that reads no file, and published
  // to secondaries (a changed zone gets its next serial, a journal diff and NOTIFY). Kept
  // across reloads. Returns "" or why the zones did not take them.
  std::string set_overlays(std::shared_ptr<const dnsd::update::Overlays> overlays);

  // One step of a DNSSEC key rollover (dnsd/dnssec/key_states.hh) on key `tag` of `zone`:
  // refused with the reason (too early: when to come back); else the key state file is
  // rewritten and the config reloaded, so the zone is re-signed at once. A reload that fails
  // puts the old state file back: a step is all or nothing.
  struct KeyStepResult {
    enum class Outcome { done, not_found, refused, failed } outcome = Outcome::done;
    std::string message;  // why not, when not done
  };
  KeyStepResult key_step(std::string_view zone, std::uint16_t tag, dnsd::dnssec::KeyAction action);

  // Manual overrides; the error text is empty on success.
  std::string disable(std::string_view profile, std::string_view endpoint,
                      std::optional<WallClock::time_point> from,
                      std::optional<WallClock::time_point> until);
  std::string enable(std::string_view profile, std::string_view endpoint);

  // Runs `read` with the current Generation and overrides, under the mutex, so a reload cannot
  // change them midway (status, explain).
  void inspect(const std::function<void(const Generation&, const Overrides&)>& read) const;

  // Of the current config (a copy: a reload may replace it at any time).
  conf::AdminConfig admin_config() const;
  // The current Generation, kept alive by the caller as long as it needs it.
  std::shared_ptr<const Generation> generation() const;
  // What secondaries are given (the transfer server's ZoneSource) and how far it has reached.
  Publishing& publishing() noexcept { return publishing_; }
  const Publishing& publishing() const noexcept { return publishing_; }
  // Recent transitions, overrides, reloads, fleet and secondary news (GET /api/v1/events).
  EventLog& events() noexcept { return events_; }
  // The fleet ([fleet] at start), or null when dnsd runs alone.
  const Fleet* fleet() const noexcept { return fleet_.get(); }

 private:
  std::unique_ptr<probe::Prober> make_prober(Generation& generation);
  std::shared_ptr<const Generation> swap_in(std::shared_ptr<Generation> next,
                                            std::unique_ptr<probe::Prober>& prober);
  ReloadReport reject(ReloadReport report, const std::vector<conf::Error>& errors);
  ReloadReport reload_held();  // reload() with reload_mutex_ held
  // A first start of a signed zone: its key state file written with every key active.
  std::vector<std::string> write_missing_key_states();
  // The second half of a reload (and all of set_overlays()), with reload_mutex_ held: carry
  // over, prepare the secondaries' view, swap, commit (a reload logs it and keeps the report).
  void install(std::shared_ptr<Generation> next, ReloadReport& report, bool is_reload);
  void log_warnings(const std::vector<std::string>& warnings);
  void apply_overrides(WallClock::time_point now);  // to current_, then the publisher is poked
  void apply_overrides(Generation& generation, WallClock::time_point now);
  const routing::Endpoint* find_endpoint(const std::string& profile,
                                         std::string_view endpoint) const;
  void timer_loop();
  void resign_loop();
  void take_fleet_overrides(std::vector<Override> all);  // the watch thread: etcd's set
  std::unique_ptr<Fleet> make_fleet();
  void restore();
  void save(std::unique_lock<std::mutex>& lock);
  void log(const std::string& line, logging::Level level = logging::Level::info);
  ReloadReport announce(ReloadReport report);  // the reload event, then the report back
  void announce_override(std::string_view action, const Override& entry);

  std::string path_;
  RuntimeOptions options_;
  // Before everything that publishes to it (the Prober's callback, Publishing, the fleet).
  EventLog events_;
  // Lock order: reload_mutex_, then mutex_. reload_mutex_ is held by reload(), start() and
  // stop() throughout: prober_, running_ and current_ change only with both held, so a reload
  // may read them with reload_mutex_ alone while it builds.
  std::mutex reload_mutex_;
  mutable std::mutex mutex_;
  std::shared_ptr<Generation> current_;
  // The dynamic updates' records (set_overlays()), under reload_mutex_: every reload keeps them.
  std::shared_ptr<const dnsd::update::Overlays> overlays_;
  dnsd::Serving serving_;
  // Before prober_: the Prober's callback pokes it, so it must outlive the Prober.
  Publishing publishing_;
  std::unique_ptr<probe::Prober> prober_;
  // [fleet] of the config at start (a reload does not move it). Overrides then live in etcd:
  // disable()/enable() write there, and the watch brings them back to overrides_.
  std::unique_ptr<Fleet> fleet_;
  Overrides overrides_;
  ReloadReport last_reload_;
  bool running_ = false;
  std::string state_path_;  // [admin] state_file of the config at start; empty: none
  WallClock::time_point saved_at_{};
  std::uint64_t save_ticket_ = 0;     // under mutex_: the last snapshot taken
  std::mutex save_mutex_;             // held for one state-file write, and nothing else
  std::uint64_t written_ticket_ = 0;  // under save_mutex_: the snapshot last written
  std::string save_error_;
  std::condition_variable wake_;
  std::thread timer_;
  std::thread resign_;  // re-signs the signed zones at their refresh point (resign_loop)
};

}  // namespace control
