// Query counters: what the UDP and TCP servers answered, by rcode and qtype, plus truncated
// responses and dropped queries. One block per query thread, on cache lines of its own, written
// by that thread alone with relaxed load+store (no lock prefix, no allocation, no sharing);
// the metrics renderer sums the blocks whenever it is asked.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "dnsd/transport.hh"

namespace dnsd {

// Response codes counted on their own; anything else is "other".
inline constexpr std::array<std::string_view, 8> k_rcode_names{
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS", "other"};
// Query types counted on their own; anything else is "other".
inline constexpr std::array<std::string_view, 19> k_qtype_names{
    "A",  "NS",     "CNAME", "SOA",   "PTR", "MX",  "TXT",  "AAAA", "SRV",  "NAPTR",
    "DS", "DNSKEY", "SVCB",  "HTTPS", "CAA", "ANY", "AXFR", "IXFR", "other"};

std::size_t rcode_slot(std::uint16_t rcode) noexcept;
std::size_t qtype_slot(std::uint16_t qtype) noexcept;
// The qtype record() takes for a response without a question (FORMERR on a question-less query).
inline constexpr std::uint32_t k_no_qtype = 0x10000;

// Plain sums, for rendering and tests.
struct QueryTotals {
  std::array<std::array<std::uint64_t, k_qtype_names.size()>, k_rcode_names.size()> responses{};
  std::uint64_t truncated = 0;  // responses sent with TC set
  std::uint64_t dropped = 0;    // messages that got no response (a response, too short, oversized)
  std::uint64_t rrl_slipped = 0;  // rate-limited responses sent truncated (also in truncated)
  std::uint64_t rrl_dropped = 0;  // rate-limited responses not sent (also in dropped)
  std::uint64_t answered() const noexcept;
};

class alignas(64) QueryCounterBlock {
 public:
  // Counts one response sent: its full rcode, the QTYPE of its question (k_no_qtype when it has
  // none: counted under "other") and whether TC was set. Owner thread only; wait-free.
  void record(std::uint16_t rcode, std::uint32_t qtype, bool truncated) noexcept {
    bump(responses_[rcode_slot(rcode)][qtype == k_no_qtype
                                           ? k_qtype_names.size() - 1
                                           : qtype_slot(static_cast<std::uint16_t>(qtype))]);
    if (truncated) bump(truncated_);
  }
  // Counts a message that got no response.
  void record_dropped() noexcept { bump(dropped_); }
  // Counts a response rate limiting held back: slipped (sent truncated) or dropped. The sent
  // slip is also counted by record(), the drop by record_dropped().
  void record_rrl(bool slipped) noexcept { bump(slipped ? rrl_slipped_ : rrl_dropped_); }
  // Any thread: adds this block's counts into `totals` (each counter read once, relaxed).
  void add_to(QueryTotals& totals) const noexcept;

 private:
  using Counter = std::atomic<std::uint64_t>;
  static void bump(Counter& counter) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  std::array<std::array<Counter, k_qtype_names.size()>, k_rcode_names.size()> responses_{};
  Counter truncated_{0};
  Counter dropped_{0};
  Counter rrl_slipped_{0};
  Counter rrl_dropped_{0};
};

// Every query thread's block: UDP threads 0..udp-1 and TCP threads 0..tcp-1. Outlives the servers
// (and reloads), so counters only ever grow.
class QueryCounters {
 public:
  QueryCounters(std::size_t udp_threads, std::size_t tcp_threads);
  QueryCounterBlock& udp(std::size_t thread) noexcept { return udp_[thread]; }
  QueryCounterBlock& tcp(std::size_t thread) noexcept { return tcp_[thread]; }
  std::size_t udp_threads() const noexcept { return udp_count_; }
  std::size_t tcp_threads() const noexcept { return tcp_count_; }
  QueryTotals totals(Transport transport) const noexcept;

 private:
  std::size_t udp_count_, tcp_count_;
  std::unique_ptr<QueryCounterBlock[]> udp_;
  std::unique_ptr<QueryCounterBlock[]> tcp_;
};

}  // namespace dnsd
