// The update thread (see updater.hh): one message at a time, in the order the queue took them.
#include "control/updater.hh"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "dnsd/notify/message.hh"
#include "dnsd/update/entry.hh"
#include "dnsd/update/processor.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"
#include "logging/log.hh"

namespace control {
namespace {

using dnsd::update::Change;
using dnsd::update::Entry;
using dnsd::update::ZoneOverlay;

// The log is rewritten as one entry per zone once it has grown past this and past twice what
// it held after the last rewrite.
constexpr std::uint64_t k_compact_size = std::uint64_t{1} << 20;
// A TCP client gets this long to take its response.
constexpr int k_tcp_write_ms = 2000;

std::chrono::sys_seconds wall_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string client_text(const routing::ClientInfo& client) {
  char text[INET6_ADDRSTRLEN] = "?";
  ::inet_ntop(client.is_ipv6 ? AF_INET6 : AF_INET, client.address.data(), text, sizeof text);
  return text;
}

std::string change_text(const Change& change) {
  const auto& r = change.record;
  return fmt::format("{} {} {} {} {}", change.add ? "add" : "delete", r.owner.to_text(), r.ttl,
                     dnsd::wire::type_to_text(r.type), dnsd::wire::rdata_to_text(r.type, r.rdata));
}

std::string changes_text(const std::vector<Change>& changes) {
  std::string out;
  for (const auto& change : changes) out += (out.empty() ? "" : "; ") + change_text(change);
  return out;
}

// `overlays` with the zone's overlay replaced by `after`.
std::shared_ptr<const dnsd::update::Overlays> with(const dnsd::update::Overlays& overlays,
                                                   const ZoneOverlay& after) {
  auto next = std::make_shared<dnsd::update::Overlays>(overlays);
  dnsd::update::overlay_for(*next, after.origin) = after;
  return next;
}

}  // namespace

Updater::Updater(Runtime& runtime, dnsd::UpdateQueue& queue) : runtime_(runtime), queue_(queue) {}

Updater::~Updater() { stop(); }

std::string Updater::open() {
  const auto generation = runtime_.generation();
  const conf::Config& config = *generation->config;
  const std::string& path = config.server.update_log;
  if (path.empty()) {
    if (!config.update_policies.empty())
      logging::warning(
          "dnsd: update: [server] update_log is not set: dynamic updates are kept in memory "
          "only and lost at a restart");
    return {};
  }
  std::vector<std::vector<std::uint8_t>> replayed;
  std::string warning;
  if (std::string error = log_.open(path, replayed, warning); !error.empty()) return error;
  if (!warning.empty()) logging::warning("dnsd: update: {}", warning);
  logging_ = true;
  dnsd::update::Overlays overlays;
  for (std::size_t i = 0; i < replayed.size(); ++i) {
    const auto entry = dnsd::update::decode(replayed[i]);
    if (!entry)
      return fmt::format(
          "update log {}: entry {} is not one this dnsd reads; move the file "
          "away to start without the dynamic records",
          path, i + 1);
    dnsd::update::replay(overlays, *entry);
  }
  std::size_t records = 0;
  for (const auto& overlay : overlays) records += overlay.records.size();
  logging::info("dnsd: update: replayed {} entries from {}: {} dynamic records in {} zones",
                replayed.size(), path, records, overlays.size());
  compacted_size_ = log_.size_bytes();
  if (overlays.empty()) return {};
  auto shared = std::make_shared<const dnsd::update::Overlays>(std::move(overlays));
  if (std::string error = runtime_.set_overlays(shared); !error.empty())
    logging::warning("dnsd: update: {}", error);
  else
    overlays_ = std::move(shared);
  return {};
}

void Updater::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Updater::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void Updater::run() {
  while (!stopping_.load()) {
    if (auto* item = queue_.next(std::chrono::milliseconds(200))) {
      handle(*item);
      queue_.release(item);
    }
    expire();
    report_dropped();
    report_refused();
  }
}

// The query threads drop (UDP) or refuse (TCP) an UPDATE when every queue slot is taken; they
// only count it. Said here, at most once a second, so a flood shows in the log without a line
// per message.
void Updater::report_dropped() {
  const std::uint64_t dropped = queue_.full();
  if (dropped == dropped_reported_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - dropped_logged_at_ < std::chrono::seconds(1)) return;
  const std::uint64_t over_share = queue_.over_share();
  logging::warning(
      "update: queue full: dropped={} UPDATE messages since the last report ({} in all); "
      "over_share={} of them from a client or key already holding {} of the {} slots",
      dropped - dropped_reported_, dropped, over_share - over_share_reported_, queue_.share(),
      queue_.slots());
  dropped_reported_ = dropped;
  over_share_reported_ = over_share;
  dropped_logged_at_ = now;
}

// The UPDATE messages the query threads answered themselves (unsigned, malformed TSIG, unknown
// key): the line the update thread would have written, at most once a second per client
// prefix, with the count of those it stands for.
void Updater::report_refused() {
  queue_.refusals().report(
      std::chrono::steady_clock::now(),
      [](const dnsd::UpdateRefusals::Sample& sample, std::uint32_t more, bool summary) {
        const auto& screened = sample.screened;
        const std::string client = client_text(sample.client);
        if (summary) {
          logging::warning("update: client={} {} more refused UPDATE messages suppressed", client,
                           more);
          return;
        }
        const std::string key = screened.status == dnsd::tsig::Status::none
                                    ? std::string("none")
                                    : dnsd::wire::Name::from_wire(screened.key_name.wire())
                                          .value_or(dnsd::wire::Name())
                                          .to_text();
        const char* why = screened.status == dnsd::tsig::Status::none
                              ? "not signed: updates need a TSIG key"
                              : (screened.status == dnsd::tsig::Status::formerr ? "malformed TSIG"
                                                                                : "TSIG BADKEY");
        const std::string suppressed = more ? fmt::format(" ({} more suppressed)", more) : "";
        logging::warning("update: key={} zone={} client={} transport={} rcode={} why=\"{}\"{}", key,
                         screened.zone_parsed ? screened.zone.to_text() : "?", client,
                         sample.transport == dnsd::Transport::tcp ? "tcp" : "udp",
                         dnsd::notify::rcode_text(screened.rcode), why, suppressed);
      },
      [](std::uint64_t lost) {
        logging::warning(
            "update: {} refused UPDATE messages from more client prefixes than are logged one "
            "by one",
            lost);
      });
}

void Updater::handle(dnsd::UpdateQueue::Item& item) {
  const auto generation = runtime_.generation();
  const conf::Config& config = *generation->config;
  dnsd::update::Context context;
  context.keyring = &config.keys;
  context.policies = config.update_policies;
  context.served = &generation->zones();
  context.base = &config.zones;
  context.overlays = overlays_.get();
  context.now = wall_now();
  context.rate = &rate_;
  context.rate_now = dnsd::update::RateLimiter::Clock::now();
  dnsd::update::Outcome outcome = dnsd::update::decide(item.message(), context);
  if (outcome.verdict.ok() && !outcome.changes.empty()) {
    Entry entry{Entry::Kind::update,
                outcome.zone,
                context.now.time_since_epoch().count(),
                outcome.tsig.key->name.lowercased(),
                outcome.after->serial,
                outcome.changes};
    if (std::string error = commit(entry, *outcome.after); !error.empty()) {
      outcome.verdict = {dnsd::wire::rcode::servfail, error};
      outcome.changes.clear();
    }
  }
  std::array<std::uint8_t, 512> response;
  send(item, std::span(response).first(
                 dnsd::update::respond(item.message(), outcome, response, context.now)));
  if (!outcome.answer) return;
  if (outcome.rate_limited && !rate_.should_log(outcome.tsig.key->name, context.rate_now)) return;
  const std::string key = outcome.tsig.key
                              ? outcome.tsig.key->name.to_text()
                              : (outcome.tsig.status == dnsd::tsig::Status::none
                                     ? std::string("none")
                                     : dnsd::wire::Name::from_wire(outcome.tsig.key_name.wire())
                                           .value_or(dnsd::wire::Name())
                                           .to_text());
  const std::string line =
      fmt::format("update: key={} zone={} client={} transport={} rcode={}", key,
                  outcome.zone_parsed ? outcome.zone.to_text() : "?", client_text(item.client),
                  item.transport == dnsd::Transport::tcp ? "tcp" : "udp",
                  dnsd::notify::rcode_text(outcome.verdict.rcode));
  if (!outcome.verdict.ok())
    logging::warning("{} why=\"{}\"", line, outcome.verdict.why);
  else if (outcome.changes.empty())
    logging::info("{} changes=none", line);
  else
    logging::info("{} serial={} changes=\"{}\"", line, outcome.after->serial.value_or(0),
                  changes_text(outcome.changes));
}

// The entry on disk first, then the zones served with it; "" or why it did not happen.
std::string Updater::commit(const Entry& entry, const ZoneOverlay& after) {
  if (logging_)
    if (std::string error = log_.append(dnsd::update::encode(entry)); !error.empty())
      return fmt::format("update log: {}", error);
  auto next = with(*overlays_, after);
  if (std::string error = runtime_.set_overlays(next); !error.empty()) return error;
  overlays_ = std::move(next);
  compact();
  return {};
}

// Records whose expiry has passed go, zone by zone, each removal logged and journaled like an
// update (no key).
void Updater::expire() {
  const std::int64_t now = wall_now().time_since_epoch().count();
  for (const ZoneOverlay& overlay : *overlays_) {
    std::vector<Change> removed;
    for (const auto& record : overlay.records)
      if (record.expires != 0 && record.expires <= now) removed.push_back({false, record});
    if (removed.empty()) continue;
    ZoneOverlay after = overlay;
    dnsd::update::apply_changes(after, removed);
    std::uint32_t base_serial = 0;
    for (const auto& zone : runtime_.generation()->config->zones.zones())
      if (zone->origin().lowercased() == overlay.origin) base_serial = zone->serial();
    after.serial = dnsd::update::next_serial(after, base_serial);
    const Entry entry{Entry::Kind::expiry, overlay.origin, now,
                      dnsd::wire::Name(),  after.serial,   removed};
    const std::string origin = overlay.origin.to_text();
    if (std::string error = commit(entry, after); !error.empty()) {
      logging::warning("update: expiry in zone={} failed, retried: {}", origin, error);
      return;
    }
    logging::info("update: expired zone={} serial={} changes=\"{}\"", origin,
                  after.serial.value_or(0), changes_text(removed));
    return;  // overlays_ changed: the next round looks again
  }
}

// One snapshot entry per zone replaces the log once it has grown well past what it holds.
void Updater::compact() {
  if (!logging_ || log_.size_bytes() < std::max(k_compact_size, 2 * compacted_size_)) return;
  std::vector<std::vector<std::uint8_t>> entries;
  const std::int64_t now = wall_now().time_since_epoch().count();
  for (const ZoneOverlay& overlay : *overlays_) {
    Entry entry{Entry::Kind::snapshot, overlay.origin, now, dnsd::wire::Name(), overlay.serial, {}};
    for (const auto& record : overlay.records) entry.changes.push_back({true, record});
    entries.push_back(dnsd::update::encode(entry));
  }
  if (std::string error = log_.rewrite(entries); !error.empty()) {
    logging::warning("update: compacting the update log failed (it keeps growing): {}", error);
    compacted_size_ = log_.size_bytes();  // not again at every update
    return;
  }
  compacted_size_ = log_.size_bytes();
  logging::info("update: update log compacted to {} bytes", compacted_size_);
}

// UDP: one datagram from the worker's socket. TCP: the framed response within a deadline, then
// the connection closes (the client opens a new one for its next message).
void Updater::send(const dnsd::UpdateQueue::Item& item, std::span<const std::uint8_t> response) {
  if (item.transport == dnsd::Transport::udp) {
    if (!response.empty())
      ::sendto(item.fd, response.data(), response.size(), 0,
               reinterpret_cast<const sockaddr*>(&item.peer), item.peer_size);
    return;
  }
  std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(response.size() >> 8),
                                   static_cast<std::uint8_t>(response.size())};
  framed.insert(framed.end(), response.begin(), response.end());
  std::size_t sent = response.empty() ? framed.size() : 0;
  while (sent < framed.size()) {
    const ssize_t n = ::send(item.fd, framed.data() + sent, framed.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd wait{item.fd, POLLOUT, 0};
      if (::poll(&wait, 1, k_tcp_write_ms) <= 0) break;
    } else {
      break;
    }
  }
  ::shutdown(item.fd, SHUT_WR);
  ::close(item.fd);
}

}  // namespace control
