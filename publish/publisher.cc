// The Publisher's two writers, reload() and refresh(), and the snapshot swap (see the header).
// Order of each change: the serial is kept in its file first, then the snapshot goes out, then
// the change is announced, so no serial is announced that a restart could give out again.
#include "publish/publisher.hh"

#include <algorithm>

#include "dnsd/zone/serial.hh"
#include "logging/log.hh"

namespace publish {
namespace zone = dnsd::zone;

struct Publisher::Entry {
  Key key;
  dnsd::wire::Name origin;
  std::vector<Decision> decisions;  // as the current view holds them
  std::shared_ptr<const ZoneSnapshot> current;
  SerialFile file;
};

namespace {

bool same_records(const std::vector<zone::Record>& a, const std::vector<zone::Record>& b) {
  if (a.size() != b.size()) return false;
  const auto same = [](const zone::Record& x, const zone::Record& y) {
    return x.type == y.type && x.ttl == y.ttl && x.rdata == y.rdata;
  };
  return std::all_of(a.begin(), a.end(), [&](const zone::Record& x) {
    return std::any_of(b.begin(), b.end(), [&](const zone::Record& y) { return same(x, y); });
  });
}

std::vector<std::uint8_t> key_of(const dnsd::wire::Name& name) {
  const auto lowered = name.lowercased();
  return {lowered.wire().begin(), lowered.wire().end()};
}

void keep_serial(const SerialFile& file, const dnsd::wire::Name& origin, std::uint32_t serial) {
  std::string why;
  if (!file.save(serial, &why))
    logging::warning("publish: zone {} serial {} not kept, a restart may reuse it: {}",
                     origin.to_text(), serial, why);
}

std::shared_ptr<const ZoneSnapshot> snapshot_of(std::unique_ptr<zone::Zone> view,
                                                std::shared_ptr<const zone::Journal> journal) {
  auto snapshot = std::make_shared<ZoneSnapshot>();
  snapshot->zone = std::move(view);
  snapshot->journal = std::move(journal);
  return snapshot;
}

// The journal after `diff`: a copy of `old` with it appended (readers keep the old one).
std::shared_ptr<const zone::Journal> appended(const zone::Journal& old, zone::Diff diff) {
  auto next = std::make_shared<zone::Journal>(old);
  next->append(std::move(diff));
  return next;
}

void log_errors(const dnsd::wire::Name& origin, const std::vector<std::string>& errors) {
  for (const auto& error : errors)
    logging::error("publish: zone {} not published: {}", origin.to_text(), error);
}

}  // namespace

Publisher::Publisher(Options options) : options_(std::move(options)) {}
Publisher::~Publisher() = default;

std::vector<Published> Publisher::reload(const Inputs& inputs) {
  std::vector<Published> changes;
  std::lock_guard lock(writer_mutex_);
  {
    settings_ = inputs.settings;
    sources_ = Sources{inputs.model, inputs.health, inputs.flat, &settings_};
    std::vector<std::unique_ptr<Entry>> next;
    for (const auto& served : inputs.zones->zones()) {
      if (inputs.only && std::none_of(inputs.only->begin(), inputs.only->end(), [&](auto& name) {
            return name.lowercased() == served->origin().lowercased();
          }))
        continue;
      const Key key = key_of(served->origin());
      const auto old = std::find_if(entries_.begin(), entries_.end(),
                                    [&](const auto& entry) { return entry->key == key; });
      if (auto change = reload_zone(*served, old == entries_.end() ? nullptr : old->get(), next))
        changes.push_back(std::move(*change));
    }
    entries_ = std::move(next);
    std::lock_guard swap(snapshot_mutex_);
    std::erase_if(snapshots_, [&](const auto& item) {
      return std::none_of(entries_.begin(), entries_.end(),
                          [&](const auto& entry) { return entry->key == item.first; });
    });
    order_.clear();
    for (const auto& entry : entries_) order_.push_back(entry->key);
  }
  announce(changes);  // still under writer_mutex_: in serial order
  return changes;
}

// One zone of a reload: appended to `next` (published or, on error, as it was).
std::optional<Published> Publisher::reload_zone(const zone::Zone& served, Entry* old,
                                                std::vector<std::unique_ptr<Entry>>& next) {
  auto entry = std::make_unique<Entry>();
  entry->key = key_of(served.origin());
  entry->origin = served.origin();
  entry->file = SerialFile(settings_.state_directory, served.origin().to_text());
  entry->decisions = decide_all(served, sources_);
  std::uint32_t serial = 0;
  if (old) {
    serial = newer_of(next_serial(settings_.serial_policy, old->current->serial(), now()),
                      served.serial());
  } else {
    std::string why;
    const auto kept = entry->file.load(&why);
    if (!why.empty()) logging::warning("publish: zone {}: {}", served.origin().to_text(), why);
    serial = start_serial(settings_.serial_policy, kept, served.serial(), now());
  }
  auto built = build_view(served, serial, entry->decisions);
  if (!built.zone) {
    log_errors(served.origin(), built.errors);
    if (old) {  // secondaries keep the last view; refresh() leaves it until a reload succeeds,
      entry->current = old->current;  // as its decisions were made from the old model
      entry->decisions.clear();
      next.push_back(std::move(entry));
    }
    return std::nullopt;
  }
  std::shared_ptr<const zone::Journal> journal;
  if (old) {
    zone::Diff diff = diff_views(*old->current->zone, *built.zone, serial);
    if (changes_nothing(diff) && !zone::serial_gt(served.serial(), old->current->serial())) {
      entry->current = old->current;  // the same records: no new serial for secondaries
      next.push_back(std::move(entry));
      return std::nullopt;
    }
    journal = appended(*old->current->journal, std::move(diff));
  } else {
    journal = std::make_shared<zone::Journal>(settings_.journal);
  }
  keep_serial(entry->file, entry->origin, serial);
  publish(*entry, snapshot_of(std::move(built.zone), std::move(journal)));
  next.push_back(std::move(entry));
  return Published{served.origin(), serial};
}

std::vector<Published> Publisher::refresh() {
  std::vector<Published> changes;
  std::lock_guard lock(writer_mutex_);
  for (const auto& entry : entries_)
    if (auto change = refresh_zone(*entry)) changes.push_back(std::move(*change));
  announce(changes);  // still under writer_mutex_: in serial order
  return changes;
}

std::optional<Published> Publisher::refresh_zone(Entry& entry) {
  const ZoneSnapshot& current = *entry.current;
  const std::uint32_t serial = next_serial(settings_.serial_policy, current.serial(), now());
  zone::Diff diff = zone::Diff::starting_at(*current.zone, serial);
  std::vector<Decision> decisions = entry.decisions;
  for (Decision& decision : decisions) {
    auto records = decide(sources_, decision.profile, decision.owner, decision.at_apex);
    if (same_records(records, decision.records)) continue;
    diff.removed.insert(diff.removed.end(), decision.records.begin(), decision.records.end());
    diff.added.insert(diff.added.end(), records.begin(), records.end());
    decision.records = std::move(records);
  }
  if (diff.removed.empty() && diff.added.empty()) return std::nullopt;
  auto applied = zone::apply(*current.zone, diff);
  if (!applied.zone) {
    log_errors(entry.origin, applied.errors);
    return std::nullopt;
  }
  keep_serial(entry.file, entry.origin, serial);
  entry.decisions = std::move(decisions);
  publish(entry, snapshot_of(std::move(applied.zone), appended(*current.journal, std::move(diff))));
  return Published{entry.origin, serial};
}

void Publisher::publish(Entry& entry, std::shared_ptr<const ZoneSnapshot> snapshot) {
  entry.current = snapshot;
  std::lock_guard lock(snapshot_mutex_);
  snapshots_[entry.key] = std::move(snapshot);
}

void Publisher::announce(const std::vector<Published>& changes) const {
  for (const Published& change : changes) {
    logging::info("publish: zone {} now at serial {}", change.zone.to_text(), change.serial);
    if (options_.on_published) options_.on_published(change);
  }
}

std::shared_ptr<const ZoneSnapshot> Publisher::snapshot(const dnsd::wire::Name& zone) const {
  std::lock_guard lock(snapshot_mutex_);
  const auto found = snapshots_.find(key_of(zone));
  return found == snapshots_.end() ? nullptr : found->second;
}

std::vector<Published> Publisher::published() const {
  std::lock_guard lock(snapshot_mutex_);
  std::vector<Published> out;
  for (const Key& key : order_)
    if (const auto found = snapshots_.find(key); found != snapshots_.end())
      out.push_back(Published{found->second->zone->origin(), found->second->serial()});
  return out;
}

}  // namespace publish
