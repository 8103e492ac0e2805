// UpdateQueue (see update_queue.hh): slots claimed by compare-and-swap, an eventfd to wake the
// update thread.
#include "dnsd/update_queue.hh"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>

namespace dnsd {

UpdateQueue::UpdateQueue(std::size_t slots)
    : count_(slots), slots_(new Slot[slots]), event_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

UpdateQueue::~UpdateQueue() {
  // Connections handed over and never answered are closed (UDP sockets are the servers').
  for (std::size_t i = 0; i < count_; ++i) {
    Slot& slot = slots_[i];
    if (slot.state.load() == k_ready && slot.item.transport == Transport::tcp)
      ::close(slot.item.fd);
  }
  if (event_fd_ >= 0) ::close(event_fd_);
}

bool UpdateQueue::offer(Transport transport, int fd, const sockaddr* peer, socklen_t peer_size,
                        const routing::ClientInfo& client,
                        std::span<const std::uint8_t> message) noexcept {
  if (message.size() > max_message) return false;
  for (std::size_t i = 0; i < count_; ++i) {
    Slot& slot = slots_[i];
    std::uint32_t expected = k_free;
    if (!slot.state.compare_exchange_strong(expected, k_filling, std::memory_order_acquire))
      continue;
    Item& item = slot.item;
    item.transport = transport;
    item.fd = fd;
    item.peer_size = std::min<socklen_t>(peer_size, sizeof(item.peer));
    if (peer) std::memcpy(&item.peer, peer, item.peer_size);
    item.client = client;
    item.size = message.size();
    std::memcpy(item.bytes.data(), message.data(), message.size());
    slot.sequence = sequence_.fetch_add(1, std::memory_order_relaxed);
    slot.state.store(k_ready, std::memory_order_release);
    offered_.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(event_fd_, &one, sizeof(one));
    return true;
  }
  full_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

UpdateQueue::Item* UpdateQueue::next(std::chrono::milliseconds timeout) noexcept {
  for (int round = 0; round < 2; ++round) {
    Slot* oldest = nullptr;
    for (std::size_t i = 0; i < count_; ++i) {
      Slot& slot = slots_[i];
      if (slot.state.load(std::memory_order_acquire) == k_ready &&
          (!oldest || slot.sequence < oldest->sequence))
        oldest = &slot;
    }
    if (oldest) {
      oldest->state.store(k_taken, std::memory_order_relaxed);
      return &oldest->item;
    }
    if (round == 1) break;
    pollfd wait{event_fd_, POLLIN, 0};
    if (::poll(&wait, 1, static_cast<int>(timeout.count())) > 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto got = ::read(event_fd_, &count, sizeof(count));
    }
  }
  return nullptr;
}

void UpdateQueue::release(Item* item) noexcept {
  for (std::size_t i = 0; i < count_; ++i)
    if (&slots_[i].item == item) slots_[i].state.store(k_free, std::memory_order_release);
}

}  // namespace dnsd
