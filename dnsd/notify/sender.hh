// NOTIFY sender (RFC 1996): tells each configured secondary about a zone's new serial from its
// own thread, retrying with backoff until acknowledged. notify() only enqueues: it never
// blocks on the network. Not on the query path; allocates freely, logs one line per event.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/notify/secondary.hh"
#include "dnsd/wire/name.hh"

namespace dnsd::notify {

// RFC 1996 §3.6 leaves interval and count to the operator and suggests 60 s and at most 5
// retransmissions. We keep the count (6 sends: the first and 5 retransmissions) but start at
// 1 s and double (1, 2, 4, 8, 16, 32 s: given up 63 s after the first send): a failover should
// reach a secondary in about a second, and a lost datagram is the common case.
struct RetryPolicy {
  std::chrono::milliseconds first_interval{1000};
  unsigned max_sends = 6;
};

struct Settings {
  std::vector<Secondary> secondaries;
  RetryPolicy retry;
};

// One secondary and one zone, as the admin API shows it.
struct SecondaryState {
  enum class Phase : std::uint8_t { pending, acked, gave_up };
  std::string secondary;  // endpoint_text()
  std::string zone;       // "example.com."
  Phase phase = Phase::pending;
  std::uint32_t serial_sent = 0;                    // the serial being (or last) told
  std::chrono::system_clock::time_point sent_at{};  // its last send
  std::optional<std::uint32_t> serial_acked;        // the last serial the secondary acknowledged
  std::chrono::system_clock::time_point acked_at{};
  unsigned attempts = 0;   // sends of serial_sent so far
  std::string last_error;  // "" or "timeout", "port unreachable", "REFUSED", "BADSIG", ...
};
std::string_view phase_text(SecondaryState::Phase phase) noexcept;  // "pending", "acked", ...

class Sender {
 public:
  explicit Sender(Settings settings);
  ~Sender();  // stops
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Opens one socket per secondary and starts the thread. False (and says why) when a
  // secondary's address is not usable; nothing is started then.
  bool start(std::string* error = nullptr);
  // Ends the thread; pending notifications are dropped (their state stays "pending", with the
  // attempts made). Idempotent; start() may follow.
  void stop();

  // Tells every secondary that `zone` now has `serial`. Returns at once; any thread may call
  // it, also before start() (the orders wait for the thread). A newer serial
  // (RFC 1982) for a zone with one pending supersedes it: the secondaries are told only the
  // latest, with fresh retries; an older or equal one is ignored. `soa_rdata` (optional) is
  // the zone's SOA rdata for the answer section (message.hh build_notify).
  void notify(const wire::Name& zone, std::uint32_t serial,
              std::span<const std::uint8_t> soa_rdata = {}, std::uint32_t soa_ttl = 0);

  // A consistent copy of every (secondary, zone) state, ordered by zone then secondary.
  std::vector<SecondaryState> states() const;

 private:
  struct Order;
  struct Job;
  void run();
  void take_orders();
  void send(Job& job, std::chrono::steady_clock::time_point now);
  void receive(std::size_t secondary);
  void expire(std::chrono::steady_clock::time_point now);
  int poll_timeout_ms(std::chrono::steady_clock::time_point now) const;
  void settle(std::size_t index, SecondaryState::Phase phase);
  void set_error(Job& job, std::string error);

  Settings settings_;
  std::vector<int> sockets_;
  int wake_[2] = {-1, -1};  // a pipe, open for the Sender's life: notify() and stop() wake poll()
  std::thread thread_;

  mutable std::mutex mutex_;  // guards orders_, stopping_ and states_
  std::vector<Order> orders_;
  bool stopping_ = false;
  std::map<std::pair<std::string, std::size_t>, SecondaryState> states_;  // (zone, secondary)

  // The thread's own: one job per (zone, secondary) not yet acknowledged or given up.
  std::vector<Job> jobs_;
  std::mt19937 random_;  // query IDs (RFC 1996 §3.7: random)
};

}  // namespace dnsd::notify
