// FlatAddresses: the A/AAAA addresses of FQDN endpoints, resolved by probe/ (c-ares) for
// flattened profiles and apex answers. One slot per endpoint; written by one probe thread,
// read lock-free by query threads under a sequence counter (readers retry, never block).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

#include "routing/model.hh"

namespace routing {

inline constexpr std::size_t max_flat_addresses = 8;  // per family

struct AddressList {
  std::uint8_t v4_count = 0;
  std::uint8_t v6_count = 0;
  std::uint32_t ttl = 0;  // remaining TTL when resolved, already capped by the profile
  std::array<std::array<std::uint8_t, 4>, max_flat_addresses> v4{};
  std::array<std::array<std::uint8_t, 16>, max_flat_addresses> v6{};
};

class FlatAddresses {
 public:
  explicit FlatAddresses(std::size_t size)
      : size_(size), slots_(std::make_unique<Slot[]>(size ? size : 1)) {}
  std::size_t size() const noexcept { return size_; }

  // Single writer per slot (the probe thread that owns the endpoint).
  void store(EndpointId id, const AddressList& list) noexcept {
    Slot& slot = slots_[id];
    const auto seq = slot.seq.load(std::memory_order_relaxed);
    slot.seq.store(seq + 1, std::memory_order_relaxed);  // odd: write in progress
    std::atomic_thread_fence(std::memory_order_release);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&list);
    for (std::size_t i = 0; i < k_words; ++i) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes + i * 8, std::min<std::size_t>(8, sizeof(AddressList) - i * 8));
      slot.words[i].store(word, std::memory_order_relaxed);
    }
    slot.seq.store(seq + 2, std::memory_order_release);
  }

  // Returns false while nothing has been resolved yet for this endpoint.
  bool load(EndpointId id, AddressList& out) const noexcept {
    const Slot& slot = slots_[id];
    std::array<std::uint64_t, k_words> copy;
    std::uint64_t before = 0;
    do {
      before = slot.seq.load(std::memory_order_acquire);
      for (std::size_t i = 0; i < k_words; ++i)
        copy[i] = slot.words[i].load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
    } while ((before & 1) != 0 || slot.seq.load(std::memory_order_relaxed) != before);
    std::memcpy(static_cast<void*>(&out), copy.data(), sizeof(AddressList));
    return before != 0;
  }

 private:
  static constexpr std::size_t k_words = (sizeof(AddressList) + 7) / 8;
  struct Slot {
    std::atomic<std::uint64_t> seq{0};
    std::array<std::atomic<std::uint64_t>, k_words> words{};
  };
  std::size_t size_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace routing
