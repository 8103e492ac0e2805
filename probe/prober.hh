// Prober: probes every enabled endpoint of every profile and writes what it finds through the
// HealthWriter (which also keeps nested parents in line) and, for flattened profiles, into
// FlatAddresses (of which it is the only writer).
//
// One thread drives one curl_multi (HTTP, HTTPS, TCP connect) and one c-ares channel (probe
// hosts, flattened targets) from a single poll loop; nothing blocks per endpoint.
// Verdicts go through Tracker (hysteresis); each state change is stored, then logged once:
//   probe: profile=ci endpoint=eu Online -> Degraded reason="http 503"
// and so is each nested endpoint's derived state that moved with it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "probe/history.hh"
#include "probe/lag_histogram.hh"
#include "probe/plan.hh"
#include "probe/probe_counters.hh"
#include "routing/flat_addresses.hh"
#include "routing/health_writer.hh"
#include "routing/model.hh"

namespace probe {

struct Options {
  std::uint64_t jitter_seed = 0;  // 0: seeded from std::random_device
  // Receives each transition line (no newline). Empty: written through logging/ (info for a
  // recovery, warning otherwise). Called on the probe thread.
  std::function<void(std::string_view line)> log;
  // Optional, sized for the model and outliving the Prober. Every verdict is recorded here for
  // the admin API, and a probe whose subscriber already has a record (carried over by a reload
  // or restored from the state file) resumes that record's Tracker memory instead of starting
  // from CheckingEndpoint.
  ProbeHistory* history = nullptr;
  // Where results, latencies and transitions are counted; may be null. Must outlive the Prober.
  ProbeCounters* counters = nullptr;
  // Called on the probe thread after each verdict and each store of flattened addresses has
  // been written, so what is derived from health (the published zones) follows at once. Must
  // not block; empty: nobody listens.
  std::function<void()> on_change;
  // Called on the probe thread once per endpoint whose probed status a verdict moved, after the
  // change is in `history` and the health word is stored (the event stream). Must not block.
  std::function<void(const Subscriber& who, const StatusChange& change)> on_transition;
};

class Prober {
 public:
  // The model is copied into a probe plan here; the writer (of a table for this model) and flat
  // must outlive the Prober and be sized for model.endpoint_count. Brings every nested
  // endpoint's derived state up to date first (HealthWriter::refresh_all), logging the changes.
  Prober(const routing::Model& model, routing::HealthWriter& health, routing::FlatAddresses& flat,
         Options options = {});
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  void start();  // spawns the probe thread ("dnsd-probe"); returns at once; no-op while running
  void stop();   // stops and joins; safe to call twice

  // Distinct probes after deduplication (for tests and the startup log).
  std::size_t probe_count() const noexcept;
  // Start lag (actual start - scheduled due time) of every probe started so far, over every
  // start()/stop() cycle. Any thread; a copy taken under a mutex the probe loop holds for one
  // histogram increment per probe start.
  LagStats lag_stats() const;

 private:
  class Loop;
  std::vector<std::unique_ptr<Loop>> loops_;  // one per probe thread, each with its share
  std::vector<std::thread> threads_;
};

}  // namespace probe
