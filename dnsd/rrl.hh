// Response rate limiting (RRL) of UDP responses, as BIND, Knot and NSD do it: responses are
// counted per bucket (client prefix, response class, name) and a bucket over its rate has its
// responses dropped, every slip-th one sent truncated instead so that a real client retries over
// TCP (a spoofed victim gets nothing large). TCP is never limited: its source cannot be forged.
// The query path: no allocation, no lock, no I/O. The only log line a check may ask for is
// written by the UDP thread after its batch is sent (RrlWorker::pending).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "dnsd/serving.hh"
#include "dnsd/zone/zone.hh"
#include "routing/pick_types.hh"

namespace dnsd {

// As BIND and Knot tell responses apart: an answer counts for its qname, a negative answer or a
// referral for the name in its authority section (the zone, the delegation), a wildcard answer
// for its zone, an error for no name at all. So random names cannot spread a flood over buckets.
enum class RrlClass : std::uint8_t { answer, nodata, nxdomain, referral, wildcard, error };
std::string_view to_string(RrlClass cls) noexcept;

struct RrlResponse {
  RrlClass cls = RrlClass::error;
  std::uint64_t name_hash = 0;  // of the case-folded name the class counts by (0: none)
};

// Reads the class and name of a response we built (bytes from answer()); `zones` finds the
// zone of a wildcard answer. Never fails: what it cannot read counts as an error response.
RrlResponse rrl_classify(std::span<const std::uint8_t> response, bool wildcard,
                         const zone::ZoneSet* zones) noexcept;

enum class RrlAction : std::uint8_t { send, slip, drop };

inline constexpr std::chrono::microseconds k_rrl_gate{250'000};

// A limited response one UDP thread may log once its batch is sent; fixed size, no allocation.
struct RrlLogEvent {
  bool pending = false;
  RrlClass cls = RrlClass::answer;
  RrlAction action = RrlAction::drop;
  routing::ClientInfo client;
  std::uint8_t prefix = 0;
  std::array<std::uint8_t, 255> qname{};  // uncompressed, as received
  std::uint8_t qname_size = 0;
};

// What one UDP thread keeps for itself: the slip sequence and the log line it owes.
struct RrlWorker {
  unsigned since_slip = 0;  // limited responses since the last slipped one
  RrlLogEvent log;
};

// The buckets, shared by every UDP thread: SO_REUSEPORT spreads one client's source ports over
// all sockets, so per-thread tables would multiply the rate by the number of threads. One
// 64-bit word per bucket, updated by compare-and-swap (lock-free): the GCRA "theoretical arrival
// time" in microseconds since the table was made. Keys that meet in one slot share it, as in
// Knot (an idle slot is as good as a fresh one, so no tag is needed to hand it over). The hash
// is seeded at random, so collisions cannot be aimed.
class RrlTable {
 public:
  using Clock = std::chrono::steady_clock;
  // `buckets` is rounded up to a power of two.
  RrlTable(std::size_t buckets, Clock::time_point epoch, std::uint64_t seed);
  ~RrlTable();
  RrlTable(const RrlTable&) = delete;
  RrlTable& operator=(const RrlTable&) = delete;

  // The limits in the table's units, worked out once per batch of queries.
  struct Timing {
    std::uint64_t now_us = 0;       // since the table was made
    std::uint64_t interval_us = 1;  // GCRA emission interval: one response per this at `rate`
    std::uint64_t window_us = 0;    // the most debt a bucket runs up
    std::uint64_t v4_mask = 0;      // keeps an IPv4 address's prefix (in the top 32 bits)
  };
  Timing timing(Clock::time_point now, const RrlConfig& config) const noexcept;

  // The key of all responses to `client`'s prefix together: the gate rrl_check() passes first.
  // One multiply: the gate is what RRL costs a client it does not limit.
  std::uint64_t prefix_key(const routing::ClientInfo& client, const RrlConfig& config,
                           const Timing& timing) const noexcept {
    std::uint64_t high;  // the address, its first byte highest
    std::memcpy(&high, client.address.data(), 8);
    high = __builtin_bswap64(high);
    if (!client.is_ipv6) return spread(seed_ ^ (high & timing.v4_mask));  // the first 4 bytes
    std::uint64_t low;
    std::memcpy(&low, client.address.data() + 8, 8);
    low = __builtin_bswap64(low);
    const int bits = config.ipv6_prefix;
    const auto keep = [](int n) { return n <= 0 ? 0 : n >= 64 ? ~0ull : ~0ull << (64 - n); };
    return spread(spread(seed_ ^ 1 ^ (high & keep(bits))) ^ (low & keep(bits - 64)));
  }
  // The bucket key of one response to the prefix of `prefix_key`.
  static std::uint64_t key(std::uint64_t prefix_key, const RrlResponse& response) noexcept;

  // Debits one response from the bucket of `key` (limited ones too, as BIND: a source that keeps
  // over the rate stays limited, for up to `window` after it stops); true when within the rate.
  // A bucket holds `burst_us` of responses at `rate` (one second for the buckets proper).
  bool allow(std::uint64_t key, const Timing& timing, std::uint64_t burst_us) noexcept {
    const std::uint64_t now = timing.now_us;
    std::atomic_ref<std::uint64_t> slot(words_[key >> shift_]);  // the hash's best bits
    std::uint64_t old = slot.load(std::memory_order_relaxed);
    bool allowed = true;
    // Bounded: under contention a lost update only makes the bucket kinder.
    for (int tries = 0; tries < 4; ++tries) {
      const std::uint64_t tat = (old > now ? old : now) + timing.interval_us;
      allowed = tat <= now + burst_us;
      const std::uint64_t cap = now + burst_us + timing.window_us;
      if (slot.compare_exchange_weak(old, tat < cap ? tat : cap, std::memory_order_relaxed)) break;
    }
    return allowed;
  }
  bool allow(std::uint64_t key, Clock::time_point now, const RrlConfig& config,
             std::chrono::microseconds burst = std::chrono::seconds(1)) noexcept {
    return allow(key, timing(now, config), static_cast<std::uint64_t>(burst.count()));
  }
  // True: the client's prefix as a whole is under the rate, so the response may go unclassified.
  bool pass_gate(const routing::ClientInfo& client, const RrlConfig& config,
                 const Timing& timing) noexcept {
    return allow(prefix_key(client, config, timing), timing,
                 static_cast<std::uint64_t>(k_rrl_gate.count()));
  }
  // At most one log line per bucket per 5 s and 10 lines per second in all; true: log this one.
  bool may_log(std::uint64_t key, std::uint64_t now_us) noexcept;
  bool may_log(std::uint64_t key, Clock::time_point now) noexcept {
    return may_log(key, timing(now, RrlConfig{}).now_us);
  }
  std::size_t size() const noexcept { return std::size_t{1} << (64 - shift_); }

 private:
  // Fibonacci hashing: the top bits of the product, which the index takes, depend on every
  // bit of the (randomly seeded) input.
  static std::uint64_t spread(std::uint64_t x) noexcept { return x * 0x9e3779b97f4a7c15ull; }
  std::uint64_t* words_;  // calloc'd: untouched buckets cost no memory
  unsigned shift_;        // 64 - log2(buckets)
  Clock::time_point epoch_;
  std::uint64_t seed_;
  std::array<std::uint64_t, 256> logged_{};  // per-bucket log gate: key tag | time in ms
  std::atomic<std::uint64_t> next_log_us_{0};
};

// The whole decision for one UDP response: exempt, valid cookie or within the rate: send; else
// slip or drop, by the thread's slip sequence. Fills worker.log when a line is due.
// First a gate per client prefix (k_rrl_gate of responses at `rate`): while a prefix's responses
// as a whole stay under the rate, no bucket of it can be over, so they are not classified at all
// (the cost of RRL for clients it does not limit). Only past the gate are the buckets counted,
// so a source gets at most k_rrl_gate's worth more than one second of responses before limiting.
RrlAction rrl_check(RrlTable& table, RrlWorker& worker, const RrlConfig& config,
                    const routing::ClientInfo& client, const Reply& reply,
                    const zone::ZoneSet* zones, RrlTable::Clock::time_point now) noexcept;
// rrl_check() past the gate: what the UDP server calls when pass_gate() says no.
RrlAction rrl_limit(RrlTable& table, RrlWorker& worker, const RrlConfig& config,
                    const routing::ClientInfo& client, const Reply& reply,
                    const zone::ZoneSet* zones, const RrlTable::Timing& timing) noexcept;

// Turns the response at `response` in place into its slip form: header and question only, TC
// set, rcode NOERROR. Returns the new size.
std::size_t rrl_truncate(std::uint8_t* response, std::size_t size) noexcept;

// "rrl: limiting prefix=192.0.2.0/24 class=answer qname=txt.example. action=slip"
std::string rrl_log_line(const RrlLogEvent& event);

}  // namespace dnsd
