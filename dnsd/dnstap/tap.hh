// A query thread's end of the dnstap log: the two hooks the UDP and TCP servers call, a ring
// of message slots owned by this thread, and its sent/dropped counters. It never waits: a
// message with no free slot, or no room in fstrm's queue, is dropped and counted.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <span>

#include "dnsd/dnstap/message.hh"
#include "dnsd/dnstap/settings.hh"
#include "dnsd/transport.hh"

struct fstrm_iothr;
struct fstrm_iothr_queue;

namespace dnsd::dnstap {

// Room for a UDP response of the default EDNS size (1232) or a query, with the envelope
// (identity and version of at most k_max_label each). A larger message is packed into a heap
// buffer instead (a large TCP response, or UDP with a larger udp_payload).
inline constexpr std::size_t k_slot_size = 2048;
// fstrm's writer holds this many messages (its output queue) besides its input queue; their
// slots come back only once written.
inline constexpr std::size_t k_writer_batch = 64;

// Slots for a queue of `queue_size`: more than the queue and the writer's batch together, so
// that the queue can fill far enough to wake the writer (fstrm signals it at a fill level,
// not per message) before the slots run out.
std::size_t slot_count(std::size_t queue_size) noexcept;

class Tap {
 public:
  // `slots` (a power of two) messages may wait at once; `queue` is this thread's own queue
  // of `iothr` (single producer). Memory for the slots is reserved, touched only when used.
  Tap(const Settings& settings, fstrm_iothr* iothr, fstrm_iothr_queue* queue, std::size_t slots);
  Tap(const Tap&) = delete;
  Tap& operator=(const Tap&) = delete;

  // A query came in from `peer`. Owner thread only; also notes the query time for response().
  void query(const sockaddr* peer, Transport transport,
             std::span<const std::uint8_t> message) noexcept;
  // The response to the last query() is being sent to `peer`.
  void response(const sockaddr* peer, Transport transport,
                std::span<const std::uint8_t> message) noexcept;

  // Any thread: messages handed to the writer thread, and messages dropped.
  std::uint64_t sent() const noexcept { return sent_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
  void submit(const Event& event) noexcept;
  static void bump(std::atomic<std::uint64_t>& counter) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  const Settings& settings_;
  const Envelope envelope_;
  fstrm_iothr* iothr_;
  fstrm_iothr_queue* queue_;
  const std::size_t mask_;
  std::size_t next_ = 0;  // the slot the next message goes in (slots free up in order)
  // busy_[i]: slot i is with the writer thread, which clears it when done (fstrm's free_func).
  std::unique_ptr<std::atomic<bool>[]> busy_;
  std::unique_ptr<std::uint8_t[]> bytes_;  // slots × k_slot_size, uninitialised on purpose
  timespec query_time_{};
  alignas(64) std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace dnsd::dnstap
