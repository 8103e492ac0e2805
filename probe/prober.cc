// Prober: the probe loop. One thread, one curl_multi, one c-ares channel, one epoll wait.
// Order per turn: start due probes (a bounded number) and lookups, hand finished lookups to
// curl, collect finished transfers into verdicts, then wait in MultiDriver until the next due
// time or socket event.
#include "probe/prober.hh"

#include <ares.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <unordered_map>

#include "logging/log.hh"
#include "probe/log_line.hh"
#include "probe/multi_driver.hh"
#include "probe/plan.hh"
#include "probe/resolver.hh"
#include "probe/scheduler.hh"
#include "probe/tracker.hh"
#include "probe/transfer.hh"
#include "probe/verdict.hh"
#include "service/libcurl.hh"
#include "service/thread_priority.hh"

namespace probe {

namespace libcurl = service::libcurl;
namespace {

using Clock = Scheduler::Clock;
using std::chrono::milliseconds;

// Flattened names are re-resolved when their TTL runs out, but not more often than this; a
// failed lookup is retried after the same delay.
constexpr milliseconds k_min_flat_refresh{1000};

// A turn starts at most this many due probes before it lets curl move and collects what has
// finished. Behind schedule, starting the whole backlog at once would leave every answer
// unread for the length of that turn, and under CPU starvation past the probes' timeouts: all
// of them would fail although every tenant answered in time.
constexpr std::size_t k_max_starts_per_turn = 64;

std::vector<std::string> address_texts(const Resolution& r) {
  std::vector<std::string> out;
  char text[INET6_ADDRSTRLEN];
  for (const auto& a : r.v4) out.emplace_back(inet_ntop(AF_INET, a.data(), text, sizeof text));
  for (const auto& a : r.v6) out.emplace_back(inet_ntop(AF_INET6, a.data(), text, sizeof text));
  return out;
}

// c-ares doubles its timeout on the retry, so a third of the shortest probe timeout lets both
// tries end inside the probe's budget.
milliseconds resolver_try_timeout(const Plan& plan) {
  milliseconds shortest{3000};
  for (const auto& p : plan.probes) shortest = std::min(shortest, p.monitor.timeout);
  return std::clamp(shortest / 3, milliseconds(50), milliseconds(2000));
}

struct Probe {
  Probe(ProbeTarget t, std::size_t index, const routing::ProbeSource& source)
      : target(std::move(t)),
        transfer(target, index, source),
        tracker(target.monitor.tolerated_failures, target.monitor.successes_to_recover) {}
  ProbeTarget target;
  Transfer transfer;
  Tracker tracker;
  Clock::time_point started{};
  bool in_multi = false;
};

// A lookup in flight: which probe or flattened name it serves, and (probes only) by when.
struct Waiter {
  bool flat = false;
  std::size_t index = 0;
  Clock::time_point deadline = Clock::time_point::max();
};

}  // namespace

class Prober::Loop {
 public:
  Loop(Plan plan, const routing::Model& model, routing::HealthWriter& health,
       routing::FlatAddresses& flat, Options options);
  ~Loop();

  void run();
  void arm() { stop_.store(false, std::memory_order_relaxed); }
  void request_stop() {
    stop_.store(true, std::memory_order_release);
    driver_.wake();
  }
  std::size_t probe_count() const noexcept { return probes_.size(); }
  LagHistogram lag() const {
    const std::lock_guard lock(lag_mutex_);
    return lag_;
  }

 private:
  void begin_probe(std::size_t i, Clock::time_point now);
  void record_lag(Clock::time_point due);
  void begin_flat(std::size_t j);
  void take_resolutions(Clock::time_point now);
  void expire_resolutions(Clock::time_point now);
  void start_transfer(std::size_t i, const std::vector<std::string>& addresses,
                      milliseconds budget);
  void collect_transfers();
  void finish_probe(std::size_t i, const Verdict& verdict);
  void publish_flat(std::size_t j, const Resolution& result, Clock::time_point now);
  void wait(Clock::time_point now);
  void abandon_in_flight();
  void log(logging::Level level, const std::string& line);
  void resume_trackers();

  routing::HealthWriter& health_;
  routing::FlatAddresses& flat_;
  Options options_;
  std::mt19937_64 seeds_;
  std::vector<std::unique_ptr<Probe>> probes_;
  std::vector<FlatTarget> flats_;
  Scheduler probe_schedule_;
  Scheduler flat_schedule_;
  Resolver resolver_;
  std::unordered_map<std::uint64_t, Waiter> waiting_;
  MultiDriver driver_;
  std::atomic<bool> stop_{false};
  // Written by the probe thread, read by lag_stats() from any thread.
  mutable std::mutex lag_mutex_;
  LagHistogram lag_;
};

Prober::Loop::Loop(Plan plan, const routing::Model& model, routing::HealthWriter& health,
                   routing::FlatAddresses& flat, Options options)
    : health_(health),
      flat_(flat),
      options_(std::move(options)),
      seeds_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()),
      probe_schedule_(seeds_()),
      flat_schedule_(seeds_()),
      resolver_(model.resolver, resolver_try_timeout(plan), model.probe_source),
      // Room for one kept-alive connection per probe. curl's default (4 x the handles added at
      // the moment) shrinks to a few when only a few probes are in flight, closing the rest.
      driver_(plan.probes.size()) {
  for (auto& target : plan.probes)
    probes_.push_back(
        std::make_unique<Probe>(std::move(target), probes_.size(), model.probe_source));
  if (options_.history) resume_trackers();
  flats_ = std::move(plan.flats);
  if (!resolver_.error().empty())
    log(logging::Level::error, fmt::format("probe: resolver unusable: {}", resolver_.error()));
  if (!driver_.error().empty())
    log(logging::Level::warning, fmt::format("probe: event loop degraded: {}", driver_.error()));
}

Prober::Loop::~Loop() {
  abandon_in_flight();
  probes_.clear();  // easy handles go before the multi handle (driver_) they were part of
}

void Prober::Loop::run() {
  const auto now = Clock::now();
  for (std::size_t i = 0; i < probes_.size(); ++i)
    probe_schedule_.schedule_first(i, now, probes_[i]->target.monitor.interval);
  for (std::size_t j = 0; j < flats_.size(); ++j) flat_schedule_.schedule_at(j, now);

  while (!stop_.load(std::memory_order_acquire)) {
    const auto turn = Clock::now();
    for (std::size_t n = 0; n < k_max_starts_per_turn; ++n) {
      const auto due = probe_schedule_.pop_due_entry(turn);
      if (!due) break;
      record_lag(due->due);
      begin_probe(due->index, turn);
    }
    while (auto j = flat_schedule_.pop_due(turn)) begin_flat(*j);
    take_resolutions(turn);
    expire_resolutions(turn);
    driver_.run_timers();  // starts the transfers just added
    collect_transfers();
    wait(Clock::now());
  }
  abandon_in_flight();
}

void Prober::Loop::begin_probe(std::size_t i, Clock::time_point now) {
  auto& probe = *probes_[i];
  probe.started = now;
  if (!probe.transfer.setup_error().empty()) {
    Verdict v;
    v.reason = routing::Reason::other;
    v.detail = probe.transfer.setup_error();
    finish_probe(i, v);
    return;
  }
  if (probe.target.host_is_address) {
    start_transfer(i,
                   probe.target.monitor.host_header.empty()
                       ? std::vector<std::string>{}
                       : std::vector<std::string>{probe.target.host},
                   probe.target.monitor.timeout);
    return;
  }
  // Resolved before every probe: a name that stops resolving fails the very next probe.
  const auto ticket = resolver_.lookup(probe.target.host + ".");
  waiting_[ticket] = Waiter{false, i, now + probe.target.monitor.timeout};
}

// Measured per probe, not per turn: a probe started late in a long turn counts its own lag.
void Prober::Loop::record_lag(Clock::time_point due) {
  const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due);
  const std::lock_guard lock(lag_mutex_);
  lag_.record(lag);
}

void Prober::Loop::begin_flat(std::size_t j) {
  waiting_[resolver_.lookup(flats_[j].name)] = Waiter{true, j, Clock::time_point::max()};
}

void Prober::Loop::take_resolutions(Clock::time_point now) {
  for (auto& done : resolver_.take_completed()) {
    const auto it = waiting_.find(done.ticket);
    if (it == waiting_.end()) continue;  // its probe already failed on the deadline
    const Waiter waiter = it->second;
    waiting_.erase(it);
    if (waiter.flat) {
      publish_flat(waiter.index, done.result, now);
    } else if (done.result.status != ARES_SUCCESS || !done.result.has_address()) {
      finish_probe(waiter.index, classify_resolution(done.result.status));
    } else {
      const auto budget = std::chrono::duration_cast<milliseconds>(waiter.deadline - now);
      start_transfer(waiter.index, address_texts(done.result), budget);
    }
  }
}

void Prober::Loop::expire_resolutions(Clock::time_point now) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    const auto index = it->second.index;
    it = waiting_.erase(it);
    finish_probe(index, classify_resolution(ARES_ETIMEOUT));
  }
}

void Prober::Loop::start_transfer(std::size_t i, const std::vector<std::string>& addresses,
                                  milliseconds budget) {
  auto& probe = *probes_[i];
  probe.transfer.prepare(addresses, budget);
  if (!driver_.add(probe.transfer.easy())) {
    Verdict v;
    v.reason = routing::Reason::other;
    v.detail = "curl: cannot add transfer";
    finish_probe(i, v);
    return;
  }
  probe.in_multi = true;
}

// curl moved the transfers in the last wait (MultiDriver); this only takes the finished ones.
void Prober::Loop::collect_transfers() {
  int queued = 0;
  while (CURLMsg* msg = libcurl::multi_info_read(driver_.multi(), &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    void* tag = nullptr;
    libcurl::easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &tag);
    const auto i = reinterpret_cast<std::size_t>(tag);
    const CURLcode code = msg->data.result;  // msg is invalid after remove_handle
    auto& probe = *probes_[i];
    driver_.remove(probe.transfer.easy());
    probe.in_multi = false;
    finish_probe(i, classify_transfer(probe.transfer.outcome(code), probe.target.monitor));
  }
}

void Prober::Loop::finish_probe(std::size_t i, const Verdict& verdict) {
  auto& probe = *probes_[i];
  const auto change = probe.tracker.apply(verdict);
  const auto word = probe.tracker.health();
  // A result counts once per probe; a transition once per endpoint it changes, like its log line.
  if (options_.counters)
    options_.counters->record_result(
        verdict.ok, verdict.reason,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - probe.started));
  // Recorded before the health word is stored: whoever a state change wakes (the fleet
  // publishes the failure's detail with it) finds the verdict that caused it.
  const auto at = std::chrono::system_clock::now();
  StatusChange status_change;
  if (change)
    status_change = {at, change->from, change->to,
                     verdict.ok ? routing::Reason::none : verdict.reason,
                     verdict.ok ? std::string() : verdict.detail};
  if (options_.history) {
    for (const auto& who : probe.target.subscribers) {
      options_.history->record(who.id, verdict, probe.tracker.memory(), at);
      if (change) options_.history->changed(who.id, status_change);
    }
  }
  // Stored on every verdict, not only on changes: the RTT and last failure reason stay current.
  for (const auto& who : probe.target.subscribers) {
    if (who.id >= health_.size()) continue;
    // Parents' derived states follow at once, on this thread (the writer does the work).
    const auto derived = health_.probed(who.id, word.status, word.reason, word.rtt_ms);
    if (change && options_.counters) options_.counters->record_transition(change->from, change->to);
    if (options_.counters)
      options_.counters->record_endpoint(
          who.profile, who.endpoint,
          {verdict.ok, verdict.reason, change.has_value(), change ? change->from : word.status,
           change ? change->to : word.status, std::chrono::system_clock::now()});
    // Every verdict, for log_level = "debug" ("probe: verdict", so transition parsers skip it).
    if (!change && logging::enabled(logging::Level::debug))
      logging::debug("probe: verdict profile={} endpoint={} state={} {}", who.profile, who.endpoint,
                     routing::to_string(word.status),
                     verdict.ok ? fmt::format("ok rtt={}ms", verdict.rtt.count())
                                : fmt::format("failed reason=\"{}\"", verdict.detail));
    if (change)
      log(change->to == routing::MonitorStatus::online ? logging::Level::info
                                                       : logging::Level::warning,
          transition_line(who, *change, verdict));
    for (const auto& moved : derived) log(logging::Level::info, nested_line(moved));
    if (change && options_.on_transition) options_.on_transition(who, status_change);
  }
  if (options_.on_change) options_.on_change();
  probe_schedule_.schedule_next(i, probe.started, probe.target.monitor.interval);
}

void Prober::Loop::publish_flat(std::size_t j, const Resolution& result, Clock::time_point now) {
  const auto& target = flats_[j];
  const bool answered = result.status == ARES_SUCCESS || result.status == ARES_ENOTFOUND ||
                        result.status == ARES_ENODATA;
  // A transient failure (timeout, SERVFAIL) keeps the last addresses; an authoritative "no
  // such name / no address" clears them.
  if (answered) {
    for (const auto& who : target.subscribers)
      if (who.id < flat_.size()) flat_.store(who.id, address_list(result, who.profile_ttl));
    if (options_.on_change) options_.on_change();
  }
  const auto refresh = result.has_address() ? std::max<milliseconds>(k_min_flat_refresh, result.ttl)
                                            : k_min_flat_refresh;
  flat_schedule_.schedule_at(j, now + refresh);
}

void Prober::Loop::wait(Clock::time_point now) {
  auto until = now + std::chrono::hours(1);
  if (auto due = probe_schedule_.next_due()) until = std::min(until, *due);
  if (auto due = flat_schedule_.next_due()) until = std::min(until, *due);
  for (const auto& [ticket, waiter] : waiting_) until = std::min(until, waiter.deadline);
  driver_.wait(until, resolver_);
}

void Prober::Loop::abandon_in_flight() {
  for (auto& probe : probes_) {
    if (!probe->in_multi) continue;
    driver_.remove(probe->transfer.easy());
    probe->in_multi = false;
  }
  waiting_.clear();
  resolver_.take_completed();
  // A later start() begins a fresh schedule; trackers keep their state.
  probe_schedule_ = Scheduler(seeds_());
  flat_schedule_ = Scheduler(seeds_());
}

// A probe shared by several endpoints takes the memory of the first one that has any: they all
// saw the same verdicts, so any of them will do.
void Prober::Loop::resume_trackers() {
  for (auto& probe : probes_) {
    for (const auto& who : probe->target.subscribers) {
      const EndpointRecord record = options_.history->get(who.id);
      if (!record.probed) continue;
      probe->tracker.restore(record.tracker);
      break;
    }
  }
}

void Prober::Loop::log(logging::Level level, const std::string& line) {
  if (options_.log)
    options_.log(line);
  else
    logging::write(level, line);
}

namespace {

// One probe thread handles a few thousand probes a second (about 55 µs of CPU each over a
// kept-alive connection, 110-140 µs with a new connection per probe; mostly libcurl, malloc and
// the kernel's loopback TCP); above that, more threads, up to one per core.
constexpr std::size_t k_probes_per_thread = 2500;

// The cores this process may run on (taskset, cgroup cpusets), not every core of the machine.
std::size_t usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

std::size_t thread_count(std::size_t probes) {
  const std::size_t cores = usable_cores();
  return std::clamp<std::size_t>((probes + k_probes_per_thread - 1) / k_probes_per_thread, 1,
                                 cores);
}

// Deals the probes out round-robin; names to flatten stay with the first thread, so each
// FlatAddresses slot keeps a single writer.
std::vector<Plan> split(Plan plan, std::size_t parts) {
  std::vector<Plan> out(parts);
  for (std::size_t i = 0; i < plan.probes.size(); ++i)
    out[i % parts].probes.push_back(std::move(plan.probes[i]));
  out[0].flats = std::move(plan.flats);
  return out;
}

}  // namespace

Prober::Prober(const routing::Model& model, routing::HealthWriter& health,
               routing::FlatAddresses& flat, Options options) {
  for (const auto& change : health.refresh_all()) {
    const auto line = nested_line(change);
    if (options.log)
      options.log(line);
    else
      logging::info("{}", line);
  }
  if (options.counters) options.counters->keep_only(model);
  Plan plan = make_plan(model);
  for (const auto& line : plain_http_credential_warnings(plan)) {
    if (options.log)
      options.log(line);
    else
      logging::warning("{}", line);
  }
  // Nothing to probe or flatten (a zone-only server): no thread, no resolver, no libcurl.
  if (plan.probes.empty() && plan.flats.empty()) return;
  const std::size_t threads = thread_count(plan.probes.size());
  auto parts = split(std::move(plan), threads);
  for (std::size_t t = 0; t < threads; ++t) {
    Options own = options;
    if (own.jitter_seed != 0) own.jitter_seed += t;  // distinct but reproducible schedules
    loops_.push_back(
        std::make_unique<Loop>(std::move(parts[t]), model, health, flat, std::move(own)));
  }
}

Prober::~Prober() { stop(); }

void Prober::start() {
  if (!threads_.empty()) return;
  for (auto& loop : loops_) {
    loop->arm();
    threads_.emplace_back([&loop = *loop] {
      // Answers come first: under load the kernel favours the query threads over probing, which
      // tolerates a few milliseconds of lateness. Named so benchmarks can find its CPU time in
      // /proc/PID/task/*/comm; failure of either is harmless.
      service::run_in_background("dnsd-probe");
      loop.run();
    });
  }
}

void Prober::stop() {
  for (auto& loop : loops_) loop->request_stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

std::size_t Prober::probe_count() const noexcept {
  std::size_t count = 0;
  for (const auto& loop : loops_) count += loop->probe_count();
  return count;
}

LagStats Prober::lag_stats() const {
  LagHistogram all;
  for (const auto& loop : loops_) all.merge(loop->lag());
  return all.stats();
}

}  // namespace probe
