// Publishing: dnsd as a hidden primary. Keeps what secondaries are given current and tells
// them: the Publisher (publish/: each published zone's transfer view, serial and journal),
// the thread that refreshes it the moment health changes, the NOTIFY sender (dnsd/notify/),
// the serial the query path shows for each published zone (dnsd/live_serials.hh), and what
// each secondary is known to serve. It is the ZoneSource the transfer server reads.
//
// Published zones are those with [[zone.transfer]] entries; every [[secondary]] is told about
// every one of them.
//
// Threads: poke() from the probe thread and the admin/timer threads (never blocks); prepare()
// and commit() from the reload; find()/keys()/served() from the transfer thread;
// propagation() from the admin API. The refresh thread is the only one that calls refresh().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "control/generation.hh"
#include "dnsd/notify/sender.hh"
#include "dnsd/xfr/source.hh"
#include "publish/publisher.hh"

namespace control {

// One secondary and one published zone, as the admin API, dnsctl and the status page show it.
struct SecondaryStatus {
  std::string secondary;  // "127.0.0.1:53", "[::1]:53"
  std::string notify;     // the NOTIFY of the current serial: "acked", "pending", "gave up", ""
  std::optional<std::uint32_t> acked_serial;    // the last serial it acknowledged
  std::optional<std::uint32_t> serving_serial;  // the last serial it was seen to have
  std::string seen_by;  // how: "transfer" (it fetched the zone, or was told it is current)
                        // or "soa check" (it answered our SOA query)
  std::chrono::system_clock::time_point seen_at{};
  std::string error;     // the last NOTIFY or SOA check error, "" when none
  bool current = false;  // serving_serial is the zone's serial or newer (RFC 1982)
  // It answered the SOA check of this call: serving_serial is what it serves now.
  bool answered = false;
};

struct ZonePropagation {
  std::string zone;  // "tm.example.com."
  std::uint32_t serial = 0;
  std::vector<SecondaryStatus> secondaries;  // in [[secondary]] order
  std::size_t current() const noexcept;      // "propagated to current() of secondaries.size()"
};

class Publishing : public dnsd::xfr::ZoneSource {
 public:
  Publishing();
  ~Publishing() override;
  Publishing(const Publishing&) = delete;
  Publishing& operator=(const Publishing&) = delete;

  // Publishes `first` (before probing starts, after the state file restored its health),
  // starts the NOTIFY sender and the refresh thread.
  void start(std::shared_ptr<Generation> first);
  // Ends the refresh thread and the sender. Idempotent.
  void stop();

  // A reload, in two steps around the swap: prepare() publishes `next` (new serials, diffs)
  // and sets its serial words, holding refreshes and NOTIFYs; commit(), once `next` serves,
  // sends the NOTIFYs (a secondary told earlier would still see the old serial in our SOA).
  // Between the two, health changes wait. No-ops unless started.
  void prepare(std::shared_ptr<Generation> next);
  void commit();

  // For the event stream, set before start(): "notified" (a NOTIFY of `serial` went out to
  // that secondary) and "caught_up" (it transferred the zone at `serial`). Called on the
  // publishing and transfer threads; must not block.
  using EventSink = std::function<void(std::string_view event, const std::string& zone,
                                       const std::string& secondary, std::uint32_t serial)>;
  void set_events(EventSink sink) { events_ = std::move(sink); }

  // Health or flattened addresses changed: the refresh thread looks at once. Never blocks.
  void poke() noexcept;

  // ZoneSource (the transfer thread):
  dnsd::xfr::Keys keys() const override;
  std::optional<dnsd::xfr::Transferable> find(
      std::span<const std::uint8_t> lowercased_origin) const override;
  std::optional<dnsd::xfr::Transferable> find_served(
      std::span<const std::uint8_t> lowercased_origin) const override;
  void served(const dnsd::zone::Zone& zone, const routing::ClientInfo& client,
              const dnsd::tsig::Key* key) const override;

  // Every published zone and how far its serial has reached. With `check`, every secondary is
  // asked for the SOA of every zone first, all at once, the whole within `check`: call it from
  // a thread that may wait that long (the admin API), never the query path.
  std::vector<ZonePropagation> propagation(
      std::optional<std::chrono::milliseconds> check = std::nullopt) const;

 private:
  struct Seen {  // what one secondary was last seen to serve of one zone
    std::uint32_t serial = 0;
    std::string by;
    std::chrono::system_clock::time_point at{};
  };
  void run();
  SecondaryStatus status_of(const ZonePropagation& zone, std::size_t i, std::string endpoint,
                            std::span<const dnsd::notify::SecondaryState> states) const;
  void publish_all(Generation& generation);
  void on_published(const publish::Published& change);
  void send_notify(const publish::Published& change);
  void restart_sender(const conf::Config& config);

  publish::Publisher publisher_;

  mutable std::mutex mutex_;  // guards everything below but the Publisher and the atomics
  std::condition_variable wake_;
  std::shared_ptr<Generation> current_;      // whose serial words on_published() moves
  std::vector<dnsd::wire::Name> published_;  // the origins published, for Inputs::only
  std::vector<dnsd::notify::Secondary> secondaries_;
  std::unique_ptr<dnsd::notify::Sender> sender_;
  bool started_ = false;
  bool stopping_ = false;
  bool held_ = false;        // between prepare() and commit()
  bool refreshing_ = false;  // the refresh thread is inside refresh()
  std::vector<publish::Published> held_notifies_;
  std::atomic<bool> dirty_{false};
  std::thread thread_;
  // (zone text, secondary index) -> what it was last seen to serve; written by the transfer
  // and admin threads.
  mutable std::map<std::pair<std::string, std::size_t>, Seen> seen_;
  EventSink events_;  // set before start(), then only read
};

// [[secondary]] entries as the NOTIFY sender takes them, keys looked up in the config's keyring.
std::vector<dnsd::notify::Secondary> notify_secondaries(const conf::Config& config);

// Which of `secondaries` a transfer from `client` signed with `key` (null: unsigned) came from:
// the only one at that address that could have sent it. One with a key sends only transfers
// signed with that key; one without may send any. nullopt when none or several fit (e.g. two
// on one address with one key): a transfer comes from an ephemeral port, so only the SOA check,
// which asks each at its own port, can tell those apart.
std::optional<std::size_t> transfer_sender(std::span<const dnsd::notify::Secondary> secondaries,
                                           const routing::ClientInfo& client,
                                           const dnsd::tsig::Key* key);

}  // namespace control
