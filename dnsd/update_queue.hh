// UpdateQueue: how a query thread hands an UPDATE (RFC 2136) to the update thread without
// blocking or allocating. A fixed set of slots, allocated at start: the producer claims a free
// slot with one compare-and-swap, copies the message, the peer and a way to answer into it,
// marks it ready and wakes the consumer through an eventfd. No slot free: offer() returns false
// and counts it; the query thread then drops the message (UDP) or refuses it (TCP).
// Fairness: no client (an IPv4 address, an IPv6 /64) and no TSIG key holds more than half the
// slots (waiting or being answered), so one sender's burst always leaves room for another's
// update. What can never be applied does not come here at all: screen() answers it first.
#pragma once

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

#include "dnsd/transport.hh"
#include "dnsd/tsig/key.hh"
#include "dnsd/update_refusals.hh"
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

  // Query threads, first: answers into `out` an UPDATE that can never be applied (unsigned, a
  // malformed TSIG, a key `keys` does not hold; update/screen.hh) and counts it in refusals()
  // for the update thread's log. Returns the response's size, or 0 when the message is for
  // offer(), with `key_tag` set to what offer() needs. Null `keys`: every message is offered.
  std::size_t screen(const tsig::Keyring* keys, const routing::ClientInfo& client,
                     Transport transport, std::span<const std::uint8_t> message,
                     std::span<std::uint8_t> out, std::uint64_t& key_tag) noexcept;

  // Query threads, then. False when no slot is free, or the client or the key (`key_tag`, 0:
  // none) already holds its share (counted in full(), and the latter in over_share()).
  bool offer(Transport transport, int fd, const sockaddr* peer, socklen_t peer_size,
             const routing::ClientInfo& client, std::span<const std::uint8_t> message,
             std::uint64_t key_tag = 0) noexcept;

  // The update thread: waits up to `timeout` for work, then returns the oldest ready item (or
  // null); release() frees its slot.
  Item* next(std::chrono::milliseconds timeout) noexcept;
  void release(Item* item) noexcept;

  std::uint64_t full() const noexcept { return full_.load(std::memory_order_relaxed); }
  std::uint64_t offered() const noexcept { return offered_.load(std::memory_order_relaxed); }
  std::uint64_t over_share() const noexcept { return over_share_.load(std::memory_order_relaxed); }
  std::size_t slots() const noexcept { return count_; }
  std::size_t share() const noexcept { return share_; }
  UpdateRefusals& refusals() noexcept { return refusals_; }

 private:
  enum : std::uint32_t { k_free, k_filling, k_ready, k_taken };
  struct Slot {
    std::atomic<std::uint32_t> state{k_free};
    // Who holds the slot, set as it is claimed (read by other claimers while it is not free).
    std::atomic<std::uint64_t> client_tag{0};
    std::atomic<std::uint64_t> key_tag{0};
    std::uint64_t sequence = 0;
    Item item;
  };
  bool over_share(const Slot& claimed) const noexcept;

  std::size_t count_;
  std::size_t share_;  // slots one client or one key may hold
  std::unique_ptr<Slot[]> slots_;
  std::atomic<std::uint64_t> sequence_{0};
  std::atomic<std::uint64_t> full_{0};
  std::atomic<std::uint64_t> offered_{0};
  std::atomic<std::uint64_t> over_share_{0};
  UpdateRefusals refusals_;
  int event_fd_ = -1;
};

// True for an UPDATE request: opcode 5 with QR clear (RFC 2136 §2.2); a glance at the header.
inline bool is_update_request(std::span<const std::uint8_t> message) noexcept {
  return message.size() >= 12 && (message[2] & 0x80) == 0 && ((message[2] >> 3) & 0xf) == 5;
}

}  // namespace dnsd
