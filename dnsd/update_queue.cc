// UpdateQueue (see update_queue.hh): slots claimed by compare-and-swap, an eventfd to wake the
// update thread.
#include "dnsd/update_queue.hh"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>

#include "dnsd/update/screen.hh"
#include "dnsd/wire/name_hash.hh"

namespace dnsd {
namespace {

// A client as the share counts it: an IPv4 address, an IPv6 /64 (one host's addresses).
std::uint64_t client_tag(const routing::ClientInfo& client) noexcept {
  std::uint64_t tag = 0;
  for (std::size_t i = 0; i < (client.is_ipv6 ? 8u : 4u); ++i) tag = tag << 8 | client.address[i];
  // Tagged by family and never 0 (0: no holder).
  return client.is_ipv6 ? tag ^ 0x9e3779b97f4a7c15ull : tag | std::uint64_t{1} << 32;
}

}  // namespace

UpdateQueue::UpdateQueue(std::size_t slots)
    : count_(slots),
      share_(slots > 1 ? slots / 2 : 1),
      slots_(new Slot[slots]),
      event_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

UpdateQueue::~UpdateQueue() {
  // Connections handed over and never answered are closed (UDP sockets are the servers').
  for (std::size_t i = 0; i < count_; ++i) {
    Slot& slot = slots_[i];
    if (slot.state.load() == k_ready && slot.item.transport == Transport::tcp)
      ::close(slot.item.fd);
  }
  if (event_fd_ >= 0) ::close(event_fd_);
}

std::size_t UpdateQueue::screen(const tsig::Keyring* keys, const routing::ClientInfo& client,
                                Transport transport, std::span<const std::uint8_t> message,
                                std::span<std::uint8_t> out, std::uint64_t& key_tag) noexcept {
  key_tag = 0;
  if (!keys) return 0;
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  const update::Screened screened = update::screen(message, *keys, out, now);
  if (screened.key) {
    key_tag = wire::name_hash(screened.key->name.wire()) | 1;  // the key's name is lower-cased
    return 0;
  }
  refusals_.record(client, transport, screened);
  return screened.size;
}

// Counted after the claim is published (sequentially consistent, as the tags are stored): of
// two claims racing for a client's last share, at least one sees the other, so a client never
// holds more than its share, at worst one claim fewer.
bool UpdateQueue::over_share(const Slot& claimed) const noexcept {
  const std::uint64_t client = claimed.client_tag.load();
  const std::uint64_t key = claimed.key_tag.load();
  std::size_t by_client = 0, by_key = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    const Slot& slot = slots_[i];
    if (slot.state.load() == k_free) continue;
    by_client += slot.client_tag.load() == client;
    by_key += key != 0 && slot.key_tag.load() == key;
  }
  return by_client > share_ || by_key > share_;
}

bool UpdateQueue::offer(Transport transport, int fd, const sockaddr* peer, socklen_t peer_size,
                        const routing::ClientInfo& client, std::span<const std::uint8_t> message,
                        std::uint64_t key_tag) noexcept {
  if (message.size() > max_message) return false;
  for (std::size_t i = 0; i < count_; ++i) {
    Slot& slot = slots_[i];
    std::uint32_t expected = k_free;
    if (!slot.state.compare_exchange_strong(expected, k_filling)) continue;
    slot.client_tag.store(client_tag(client));
    slot.key_tag.store(key_tag);
    if (over_share(slot)) {
      slot.state.store(k_free, std::memory_order_release);
      over_share_.fetch_add(1, std::memory_order_relaxed);
      break;
    }
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
