// Publisher: per published zone, the transfer view (view.hh), its serial and a bounded journal
// of diffs, remade when the decisions or the config change. What secondaries are given, and
// what NOTIFY announces. Not on the query path: it allocates, builds zones and writes files.
//
// Threads: reload() and refresh() may be called from any thread (the health writer's change
// path, the reload thread); they run one at a time, so the last one to run has read every
// health word written before it was called, and the latest serial reflects the latest health.
// Readers (the transfer thread) take a ZoneSnapshot: immutable, shared, taken under a mutex
// held only to copy a pointer, so a transfer never blocks refresh() and refresh() never
// blocks a transfer for longer than that copy.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "dnsd/zone/journal.hh"
#include "dnsd/zone/zone.hh"
#include "publish/serial.hh"
#include "publish/settings.hh"
#include "publish/view.hh"

namespace publish {

// One zone as secondaries are given it: the view at its serial and the diffs that led there
// (journal->since(serial) answers an IXFR; nullopt: send the whole zone, RFC 1995 §4).
struct ZoneSnapshot {
  std::shared_ptr<const dnsd::zone::Zone> zone;
  std::shared_ptr<const dnsd::zone::Journal> journal;
  std::uint32_t serial() const noexcept { return zone->serial(); }
};

// "zone Z now at serial S": for NOTIFY (RFC 1996) and the log.
struct Published {
  dnsd::wire::Name zone;
  std::uint32_t serial = 0;
};

// What reload() publishes from. `zones`, `model`, `health` and `flat` must outlive the
// Publisher's use of them: until the next reload() returns.
struct Inputs {
  const dnsd::zone::ZoneSet* zones = nullptr;
  const routing::Model* model = nullptr;
  const routing::HealthTable* health = nullptr;
  const routing::FlatAddresses* flat = nullptr;  // null: nothing flattened is resolved
  Settings settings;                             // copied
  // The zones to publish (those secondaries transfer); null: every zone of `zones`.
  const std::vector<dnsd::wire::Name>* only = nullptr;
};

class Publisher {
 public:
  struct Options {
    std::function<Clock::time_point()> clock;  // empty: the system clock (unix, date policies)
    // Called for each serial change, in serial order, after the snapshot is out (and before
    // reload() or refresh() returns). It runs under the writer lock, not the snapshot mutex:
    // keep it short (hand the serial to the NOTIFY sender) and never call back in.
    std::function<void(const Published&)> on_published;
  };
  explicit Publisher(Options options = {});
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Takes a (new) config: a zone seen for the first time starts at start_serial() (the file,
  // the config's SOA serial, the policy); a zone published before gets the next serial and a
  // diff when its view changed (records, SOA fields) or the config's serial moved ahead; a zone
  // no longer published is dropped. Returns the serial changes.
  std::vector<Published> reload(const Inputs& inputs);

  // Recomputes every profile's decision from the live health words and flattened addresses;
  // for each zone where one changed: the diff (old decision records removed, new ones added),
  // zone::apply, the next serial, kept in the file, then the snapshot and the journal swapped
  // in, all at once (no batching timer). Returns the serial changes (none: nothing changed).
  // Call it after each write through routing::HealthWriter (probed(), set_admin_disabled(),
  // a restore batch with refresh_all()) and after flattened addresses are stored: cheap when
  // nothing changed (one pick per profile and family, no zone built, no file written).
  std::vector<Published> refresh();

  // The zone as published now; null when it is not published.
  std::shared_ptr<const ZoneSnapshot> snapshot(const dnsd::wire::Name& zone) const;
  // Every published zone with its serial, in the config's order.
  std::vector<Published> published() const;

 private:
  struct Entry;                           // a zone's writer-side state (publisher.cc)
  using Key = std::vector<std::uint8_t>;  // the origin's lowercased wire form

  std::optional<Published> reload_zone(const dnsd::zone::Zone& served, Entry* old,
                                       std::vector<std::unique_ptr<Entry>>& next);
  std::optional<Published> refresh_zone(Entry& entry);
  void publish(Entry& entry, std::shared_ptr<const ZoneSnapshot> snapshot);
  void announce(const std::vector<Published>& changes) const;
  Clock::time_point now() const { return options_.clock ? options_.clock() : Clock::now(); }

  Options options_;
  std::mutex writer_mutex_;  // one reload() or refresh() at a time
  // Writer side, under writer_mutex_:
  Settings settings_;
  Sources sources_;
  std::vector<std::unique_ptr<Entry>> entries_;  // config order

  mutable std::mutex snapshot_mutex_;  // held only to copy or swap a pointer
  std::map<Key, std::shared_ptr<const ZoneSnapshot>> snapshots_;
  std::vector<Key> order_;  // under snapshot_mutex_: published() order
};

}  // namespace publish
