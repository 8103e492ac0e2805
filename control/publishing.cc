// Publishing: the refresh thread, the reload's two steps, NOTIFY and what secondaries serve
// (see publishing.hh). Order of each change: the Publisher keeps the serial in its file and
// swaps the snapshot in, then on_published() moves the zone's serial word (the query path's
// SOA), then the secondaries are told; so a secondary told of a serial finds it everywhere.
#include "control/publishing.hh"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

#include "dnsd/notify/soa_check.hh"
#include "dnsd/wire/types.hh"
#include "logging/log.hh"
#include "service/thread_priority.hh"

namespace control {
namespace {

std::string zone_key(const dnsd::wire::Name& zone) { return zone.lowercased().to_text(); }

// What keeps a transfer's zone, journal and ACL alive: the snapshot and the Generation.
struct Held {
  std::shared_ptr<const publish::ZoneSnapshot> snapshot;
  std::shared_ptr<const Generation> generation;
};

routing::ClientInfo client_of(const dnsd::notify::Secondary& secondary) {
  routing::ClientInfo client;
  if (::inet_pton(AF_INET, secondary.address.c_str(), client.address.data()) == 1) return client;
  client.is_ipv6 = ::inet_pton(AF_INET6, secondary.address.c_str(), client.address.data()) == 1;
  return client;
}

bool same_key(const dnsd::tsig::Key& a, const dnsd::tsig::Key& b) {
  return a.name == b.name && a.algorithm == b.algorithm;
}

bool same_address(const routing::ClientInfo& a, const routing::ClientInfo& b) {
  const std::size_t size = a.is_ipv6 ? 16 : 4;
  return a.is_ipv6 == b.is_ipv6 &&
         std::equal(a.address.begin(), a.address.begin() + size, b.address.begin());
}

bool same_secondaries(const std::vector<dnsd::notify::Secondary>& a,
                      const std::vector<dnsd::notify::Secondary>& b) {
  const auto same_key = [](const auto& x, const auto& y) {
    return x.has_value() == y.has_value() &&
           (!x || (x->name == y->name && x->algorithm == y->algorithm && x->secret == y->secret));
  };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [&](const auto& x, const auto& y) {
    return x.address == y.address && x.port == y.port && same_key(x.key, y.key);
  });
}

std::vector<dnsd::wire::Name> published_origins(const conf::Config& config) {
  std::vector<dnsd::wire::Name> out;
  for (const auto& transfer : config.transfers)
    if (!transfer.acl.entries.empty()) out.push_back(transfer.origin);
  return out;
}

// The query path of `generation` shows the published serial in the zone's SOA.
void show_serial(Generation& generation, const publish::Published& published) {
  for (const auto& zone : generation.zones().zones())
    if (zone->origin().lowercased() == published.zone.lowercased())
      generation.serials.set(zone->index(), published.serial);
}

}  // namespace

std::size_t ZonePropagation::current() const noexcept {
  return static_cast<std::size_t>(std::count_if(secondaries.begin(), secondaries.end(),
                                                [](const auto& s) { return s.current; }));
}

std::optional<std::size_t> transfer_sender(std::span<const dnsd::notify::Secondary> secondaries,
                                           const routing::ClientInfo& client,
                                           const dnsd::tsig::Key* key) {
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < secondaries.size(); ++i) {
    const auto& secondary = secondaries[i];
    if (!same_address(client_of(secondary), client)) continue;
    if (secondary.key && !(key && same_key(*secondary.key, *key))) continue;
    if (found) return std::nullopt;  // two could have sent it
    found = i;
  }
  return found;
}

std::vector<dnsd::notify::Secondary> notify_secondaries(const conf::Config& config) {
  std::vector<dnsd::notify::Secondary> out;
  for (const auto& entry : config.secondaries) {
    dnsd::notify::Secondary secondary{entry.address, entry.port, std::nullopt};
    if (entry.key)
      for (const auto& key : config.keys.keys())
        if (key.name == *entry.key) secondary.key = key;
    out.push_back(std::move(secondary));
  }
  return out;
}

Publishing::Publishing()
    : publisher_(publish::Publisher::Options{
          {}, [this](const publish::Published& change) { on_published(change); }}) {}

Publishing::~Publishing() { stop(); }

void Publishing::start(std::shared_ptr<Generation> first) {
  {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
    stopping_ = false;
    held_ = true;  // the first publish's NOTIFYs go out below, like a reload's
    current_ = first;
    published_ = published_origins(*first->config);
    restart_sender(*first->config);
  }
  publish_all(*first);
  commit();
  thread_ = std::thread([this] {
    service::run_in_background("dnsd-publish");
    run();
  });
}

void Publishing::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  if (sender_) sender_->stop();
  started_ = false;
}

void Publishing::prepare(std::shared_ptr<Generation> next) {
  {
    std::unique_lock lock(mutex_);
    if (!started_) return;
    held_ = true;
    wake_.wait(lock, [this] { return !refreshing_; });
    current_ = next;
    published_ = published_origins(*next->config);
    if (!same_secondaries(notify_secondaries(*next->config), secondaries_))
      restart_sender(*next->config);
  }
  publish_all(*next);
}

void Publishing::commit() {
  std::vector<publish::Published> notifies;
  {
    std::lock_guard lock(mutex_);
    if (!held_) return;
    held_ = false;
    notifies.swap(held_notifies_);
  }
  for (const auto& change : notifies) send_notify(change);
  wake_.notify_all();  // a health change that waited for the reload
}

void Publishing::poke() noexcept {
  dirty_.store(true, std::memory_order_release);
  { std::lock_guard lock(mutex_); }  // the thread is waiting, or sees dirty_ before it waits
  wake_.notify_one();
}

// The refresh thread: one Publisher::refresh() per wake-up, with no timer in between, so a
// flapping endpoint's secondaries converge on its latest state.
void Publishing::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || (!held_ && dirty_.load()); });
    if (stopping_) return;
    dirty_.store(false);
    refreshing_ = true;
    lock.unlock();
    publisher_.refresh();
    lock.lock();
    refreshing_ = false;
    wake_.notify_all();  // prepare() may be waiting
  }
}

// Publishes `generation`'s zones and sets its serial words to the published serials (those
// that changed are set by on_published() as well; the others kept theirs).
void Publishing::publish_all(Generation& generation) {
  publish::Inputs inputs;
  inputs.zones = &generation.zones();
  inputs.model = &generation.config->model;
  inputs.health = &generation.health;
  inputs.flat = &generation.flat;
  inputs.settings = generation.config->publish;
  inputs.only = &published_;  // written only by start() and prepare(), on this thread
  publisher_.reload(inputs);
  for (const auto& published : publisher_.published()) show_serial(generation, published);
}

// Under the Publisher's writer lock, in serial order: the serial word, then NOTIFY (or, during
// a reload, NOTIFY once the new generation serves).
void Publishing::on_published(const publish::Published& change) {
  std::unique_lock lock(mutex_);
  if (current_) show_serial(*current_, change);
  if (held_) {
    held_notifies_.push_back(change);
    return;
  }
  lock.unlock();
  send_notify(change);
}

void Publishing::send_notify(const publish::Published& change) {
  const auto snapshot = publisher_.snapshot(change.zone);
  std::span<const std::uint8_t> soa_rdata;
  std::uint32_t soa_ttl = 0;
  if (snapshot)
    if (const auto* soa = snapshot->zone->apex().find(dnsd::wire::rrtype::soa)) {
      soa_rdata = soa->rdatas.front();
      soa_ttl = soa->ttl;
    }
  std::lock_guard lock(mutex_);
  if (!sender_) return;
  sender_->notify(change.zone, change.serial, soa_rdata, soa_ttl);
  if (events_)
    for (const auto& secondary : secondaries_)
      events_("notified", zone_key(change.zone), dnsd::notify::endpoint_text(secondary),
              change.serial);
}

// With mutex_ held: a sender for the config's [[secondary]] list (none when it is empty).
void Publishing::restart_sender(const conf::Config& config) {
  if (sender_) sender_->stop();
  sender_.reset();
  secondaries_ = notify_secondaries(config);
  seen_.clear();
  if (secondaries_.empty()) return;
  sender_ = std::make_unique<dnsd::notify::Sender>(dnsd::notify::Settings{secondaries_, {}});
  std::string error;
  if (!sender_->start(&error)) {
    logging::error("publish: NOTIFY not sent: {}", error);
    sender_.reset();
  }
}

dnsd::xfr::Keys Publishing::keys() const {
  std::lock_guard lock(mutex_);
  if (!current_) return {};
  return {&current_->config->keys, current_};
}

std::optional<dnsd::xfr::Transferable> Publishing::find(
    std::span<const std::uint8_t> lowercased_origin) const {
  const auto origin = dnsd::wire::Name::from_wire(lowercased_origin);
  if (!origin) return std::nullopt;
  auto snapshot = publisher_.snapshot(*origin);
  if (!snapshot) return std::nullopt;
  std::shared_ptr<const Generation> generation;
  {
    std::lock_guard lock(mutex_);
    generation = current_;
  }
  if (!generation) return std::nullopt;
  dnsd::xfr::Transferable out;
  out.zone = snapshot->zone.get();
  out.journal = snapshot->journal.get();
  out.acl = generation->config->transfer_acl(*origin);
  out.keep_alive = std::make_shared<Held>(Held{std::move(snapshot), std::move(generation)});
  return out;
}

std::optional<dnsd::xfr::Transferable> Publishing::find_served(
    std::span<const std::uint8_t> lowercased_origin) const {
  const auto origin = dnsd::wire::Name::from_wire(lowercased_origin);
  if (!origin) return std::nullopt;
  std::shared_ptr<const Generation> generation;
  {
    std::lock_guard lock(mutex_);
    generation = current_;
  }
  if (!generation) return std::nullopt;
  const dnsd::zone::Zone* zone = generation->zones().find_enclosing(*origin);
  if (!zone || !(zone->origin().lowercased() == *origin)) return std::nullopt;
  dnsd::xfr::Transferable out;
  out.zone = zone;
  out.keep_alive = std::move(generation);
  return out;
}

// Only a transfer that one secondary alone could have made counts (transfer_sender()); the
// others are left to the SOA check.
void Publishing::served(const dnsd::zone::Zone& zone, const routing::ClientInfo& client,
                        const dnsd::tsig::Key* key) const {
  std::lock_guard lock(mutex_);
  if (const auto i = transfer_sender(secondaries_, client, key)) {
    seen_[{zone_key(zone.origin()), *i}] =
        Seen{zone.serial(), "transfer", std::chrono::system_clock::now()};
    if (events_)
      events_("caught_up", zone_key(zone.origin()), dnsd::notify::endpoint_text(secondaries_[*i]),
              zone.serial());
  }
}

std::vector<ZonePropagation> Publishing::propagation(
    std::optional<std::chrono::milliseconds> check) const {
  std::vector<dnsd::notify::Secondary> secondaries;
  std::vector<dnsd::notify::SecondaryState> states;
  {
    std::lock_guard lock(mutex_);
    secondaries = secondaries_;
    if (sender_) states = sender_->states();
  }
  const std::vector<publish::Published> published = publisher_.published();
  // checks[zone][secondary], every one at once: the whole check takes one `check`.
  std::vector<std::vector<dnsd::notify::SoaCheck>> checks;
  if (check && !secondaries.empty() && !published.empty()) {
    std::vector<dnsd::wire::Name> zones;
    for (const auto& zone : published) zones.push_back(zone.zone);
    checks = dnsd::notify::check_soa_all(secondaries, zones, *check);
  }
  const auto now = std::chrono::system_clock::now();
  std::vector<ZonePropagation> out;
  std::lock_guard lock(mutex_);
  if (!same_secondaries(secondaries, secondaries_)) checks.clear();  // a reload changed the list
  for (std::size_t z = 0; z < published.size(); ++z) {
    ZonePropagation zone{zone_key(published[z].zone), published[z].serial, {}};
    for (std::size_t i = 0; i < secondaries.size(); ++i) {
      if (z < checks.size() && checks[z][i].serial)
        seen_[{zone.zone, i}] = Seen{*checks[z][i].serial, "soa check", now};
      SecondaryStatus status =
          status_of(zone, i, dnsd::notify::endpoint_text(secondaries[i]), states);
      if (z < checks.size() && !checks[z][i].serial) status.error = checks[z][i].error;
      status.answered = z < checks.size() && checks[z][i].serial.has_value();
      zone.secondaries.push_back(std::move(status));
    }
    out.push_back(std::move(zone));
  }
  return out;
}

// With mutex_ held: secondary `i` of `zone` from the NOTIFY state and what it was seen to serve.
// Current only when that serial is the zone's or newer: an old sighting (e.g. before its last
// SOA check failed) does not count once the zone's serial has moved on.
SecondaryStatus Publishing::status_of(const ZonePropagation& zone, std::size_t i,
                                      std::string endpoint,
                                      std::span<const dnsd::notify::SecondaryState> states) const {
  SecondaryStatus status;
  status.secondary = std::move(endpoint);
  for (const auto& state : states)
    if (state.secondary == status.secondary && state.zone == zone.zone) {
      if (state.serial_sent == zone.serial)
        status.notify = std::string(dnsd::notify::phase_text(state.phase));
      status.acked_serial = state.serial_acked;
      status.error = state.last_error;
    }
  if (const auto seen = seen_.find({zone.zone, i}); seen != seen_.end()) {
    status.serving_serial = seen->second.serial;
    status.seen_by = seen->second.by;
    status.seen_at = seen->second.at;
    status.current = dnsd::notify::serves_at_least(seen->second.serial, zone.serial);
  }
  return status;
}

}  // namespace control
