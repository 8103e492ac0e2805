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
  // Up to this many names a scan is cheaper than hashing every name written (a short UDP
  // answer); the table starts hashing once it holds more.
  static constexpr std::size_t k_linear = 8;

  std::size_t size() const noexcept { return count_; }
  // True once lookups go by hash: find and insert then need the suffix's hash.
  bool hashed() const noexcept { return hashed_; }
  bool wants_hashing() const noexcept { return !hashed_ && count_ > k_linear; }

  // The offsets stored (under `hash`, once hashed), oldest first, until `same(offset)` accepts
  // one; 0 when none does (offset 0 is the header, never a name). The hash only narrows the
  // search: `same` must check the bytes, as different suffixes may share a hash.
  template <class Same>
  std::uint16_t find(std::uint64_t hash, Same&& same) const noexcept {
    if (!hashed_) {
      for (std::size_t i = 0; i < count_; ++i)
        if (same(offsets_[i])) return offsets_[i];
      return 0;
    }
    const std::uint16_t tag = tag_of(hash);
    for (std::size_t slot = slot_of(hash); used(slot); slot = (slot + 1) & k_mask)
      if (slots_[slot].tag == tag && same(slots_[slot].offset)) return slots_[slot].offset;
    return 0;
  }

  // Remembers `offset` (under `hash`, once hashed); does nothing once full.
  void insert(std::uint64_t hash, std::uint16_t offset) noexcept {
    if (count_ == k_max_names) return;
    offsets_[count_] = offset;
    if (hashed_) place(count_, hash);
    ++count_;
  }

  // Switches to lookups by hash; `hash_at(offset)` gives the hash of each name already stored.
  template <class HashAt>
  void start_hashing(HashAt&& hash_at) noexcept {
    used_.fill(0);
    for (std::size_t i = 0; i < count_; ++i) place(i, hash_at(offsets_[i]));
    hashed_ = true;
  }

  // Forgets everything inserted after the table held `count` names.
  void truncate(std::size_t count) noexcept {
    for (; count_ > count; --count_) {
      if (!hashed_) continue;
      const std::size_t slot = slot_of_entry_[count_ - 1];
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
  void place(std::size_t entry, std::uint64_t hash) noexcept {
    std::size_t slot = slot_of(hash);
    while (used(slot)) slot = (slot + 1) & k_mask;
    slots_[slot] = Slot{offsets_[entry], tag_of(hash)};
    used_[slot / 64] |= std::uint64_t{1} << (slot % 64);
    slot_of_entry_[entry] = static_cast<std::uint16_t>(slot);
  }

  struct Slot {
    std::uint16_t offset;
    std::uint16_t tag;
  };
  // Left uninitialised on purpose: used_ is cleared when hashing starts, a slot is read only
  // while its bit in used_ is set, an entry of offsets_ and slot_of_entry_ only below count_.
  // So a short UDP answer, which never hashes, clears nothing (the old table cleared 256 bytes).
  std::array<Slot, k_slots> slots_;
  std::array<std::uint16_t, k_max_names> offsets_;        // in insertion order
  std::array<std::uint16_t, k_max_names> slot_of_entry_;  // once hashed
  std::array<std::uint64_t, k_slots / 64> used_;
  std::size_t count_ = 0;
  bool hashed_ = false;
};

}  // namespace dnsd::wire
