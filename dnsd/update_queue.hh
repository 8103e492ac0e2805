// UpdateQueue: how a query thread hands an UPDATE (RFC 2136) to the update thread without
// blocking or allocating. A fixed set of slots, allocated at start: the producer claims a free
// slot with one compare-and-swap, copies the message, the peer and a way to answer into it,
// marks it ready and wakes the consumer through an eventfd. No slot free: offer() returns false
// and counts it; the query thread then drops the message (UDP) or refuses it (TCP).
#pragma once

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

#include "dnsd/transport.hh"
#include "routing/pick_types.hh"

namespace dnsd {

class UpdateQueue {
 public:
  static constexpr std::size_t max_message = 65535;

  struct Item {
    Transport transport = Transport::udp;
    // UDP: the worker's socket (shared: answer with sendto, never close it). TCP: the
    // connection, now the consumer's to answer on and close.
    int fd = -1;
    sockaddr_storage peer{};
    socklen_t peer_size = 0;
    routing::ClientInfo client;
    std::size_t size = 0;
    std::array<std::uint8_t, max_message> bytes;
    std::span<const std::uint8_t> message() const noexcept { return {bytes.data(), size}; }
  };

  explicit UpdateQueue(std::size_t slots = 16);
  ~UpdateQueue();
  UpdateQueue(const UpdateQueue&) = delete;
  UpdateQueue& operator=(const UpdateQueue&) = delete;

  // Query threads. False when every slot is taken (counted in full()).
  bool offer(Transport transport, int fd, const sockaddr* peer, socklen_t peer_size,
             const routing::ClientInfo& client, std::span<const std::uint8_t> message) noexcept;

  // The update thread: waits up to `timeout` for work, then returns the oldest ready item (or
  // null); release() frees its slot.
  Item* next(std::chrono::milliseconds timeout) noexcept;
  void release(Item* item) noexcept;

  std::uint64_t full() const noexcept { return full_.load(std::memory_order_relaxed); }
  std::uint64_t offered() const noexcept { return offered_.load(std::memory_order_relaxed); }

 private:
  enum : std::uint32_t { k_free, k_filling, k_ready, k_taken };
  struct Slot {
    std::atomic<std::uint32_t> state{k_free};
    std::uint64_t sequence = 0;
    Item item;
  };
  std::size_t count_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<std::uint64_t> sequence_{0};
  std::atomic<std::uint64_t> full_{0};
  std::atomic<std::uint64_t> offered_{0};
  int event_fd_ = -1;
};

// True for an UPDATE request: opcode 5 with QR clear (RFC 2136 §2.2); a glance at the header.
inline bool is_update_request(std::span<const std::uint8_t> message) noexcept {
  return message.size() >= 12 && (message[2] & 0x80) == 0 && ((message[2] >> 3) & 0xf) == 5;
}

}  // namespace dnsd
