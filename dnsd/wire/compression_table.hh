// CompressionTable: where the names of a message being written start, by the hash of each
// (lower-cased) name suffix, for RFC 1035 §4.1.4 pointers. Fixed size, allocation-free; a name
// that finds the table full is simply not remembered (no compression, never an error).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace dnsd::wire {

class CompressionTable {
 public:
  // Open addressing with linear probing, filled to at most half, so a miss ends within a few
  // slots. Removal is last-in first-out only (rollback), which leaves every remaining probe
  // chain as it was: no tombstones.
  static constexpr std::size_t k_slots = 1024;
  static constexpr std::size_t k_max_names = k_slots / 2;

  std::size_t size() const noexcept { return count_; }

  // The offsets stored under `hash`, oldest first, until `same(offset)` accepts one; 0 when none
  // does (offset 0 is the header, never a name). The hash only narrows the search: `same` must
  // check the bytes, as different suffixes may share a hash.
  template <class Same>
  std::uint16_t find(std::uint64_t hash, Same&& same) const noexcept {
    const std::uint16_t tag = tag_of(hash);
    for (std::size_t slot = slot_of(hash); used(slot); slot = (slot + 1) & k_mask)
      if (slots_[slot].tag == tag && same(slots_[slot].offset)) return slots_[slot].offset;
    return 0;
  }

  // Remembers `offset` under `hash`; does nothing once the table holds k_max_names.
  void insert(std::uint64_t hash, std::uint16_t offset) noexcept {
    if (count_ == k_max_names) return;
    std::size_t slot = slot_of(hash);
    while (used(slot)) slot = (slot + 1) & k_mask;
    slots_[slot] = Slot{offset, tag_of(hash)};
    used_[slot / 64] |= std::uint64_t{1} << (slot % 64);
    inserted_[count_++] = static_cast<std::uint16_t>(slot);
  }

  // Forgets everything inserted after the table held `count` names.
  void truncate(std::size_t count) noexcept {
    while (count_ > count) {
      const std::size_t slot = inserted_[--count_];
      used_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
    }
  }

 private:
  static constexpr std::size_t k_mask = k_slots - 1;
  static std::size_t slot_of(std::uint64_t hash) noexcept {
    return static_cast<std::size_t>(hash ^ (hash >> 32)) & k_mask;
  }
  static std::uint16_t tag_of(std::uint64_t hash) noexcept {
    return static_cast<std::uint16_t>(hash >> 48);
  }
  bool used(std::size_t slot) const noexcept { return (used_[slot / 64] >> (slot % 64)) & 1; }

  struct Slot {
    std::uint16_t offset;
    std::uint16_t tag;
  };
  // slots_ and inserted_ are left uninitialised on purpose: a slot is read only while its bit
  // in used_ is set, an inserted_ entry only below count_. Clearing 128 bytes per message, not
  // 5 KiB, keeps a short UDP answer as cheap as before.
  std::array<Slot, k_slots> slots_;
  std::array<std::uint16_t, k_max_names> inserted_;
  std::array<std::uint64_t, k_slots / 64> used_{};
  std::size_t count_ = 0;
};

}  // namespace dnsd::wire
