// NameIndex: the one open-addressing hash table from lower-cased owner names to positions in a
// caller's array (zone::Zone's nodes, PreparedAnswers' entries). It stores positions only; the
// caller says where position i's name is, so the names stay in the caller's arena.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "dnsd/wire/name_hash.hh"

namespace dnsd::wire {

class NameIndex {
 public:
  static constexpr std::uint32_t npos = 0xffffffff;

  // Indexes positions 0..count-1; `name_of(i)` is position i's lower-cased wire name. A later
  // position with the same name takes the slot of an earlier one (a nested zone's copy wins).
  template <typename NameOf>
  void build(std::uint32_t count, NameOf name_of) {
    std::size_t capacity = 16;
    while (capacity < std::size_t{count} * 2) capacity *= 2;  // at most half full
    slots_.assign(capacity, 0);
    const std::size_t mask = capacity - 1;
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::span<const std::uint8_t> name = name_of(i);
      std::size_t slot = name_hash(name) & mask;
      for (; slots_[slot] != 0; slot = (slot + 1) & mask)
        if (same(name_of(slots_[slot] - 1), name)) break;
      slots_[slot] = i + 1;
    }
  }

  // The position whose name is exactly `lowered` (hashed with name_hash), or npos.
  template <typename NameOf>
  std::uint32_t find(std::span<const std::uint8_t> lowered, std::uint64_t hash,
                     NameOf name_of) const noexcept {
    if (slots_.empty()) return npos;  // never built
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      const std::uint32_t entry = slots_[slot];
      if (entry == 0) return npos;
      if (same(name_of(entry - 1), lowered)) return entry - 1;
    }
  }
  template <typename NameOf>
  std::uint32_t find(std::span<const std::uint8_t> lowered, NameOf name_of) const noexcept {
    return find(lowered, name_hash(lowered), name_of);
  }

  std::size_t capacity() const noexcept { return slots_.size(); }

 private:
  static bool same(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
  }
  std::vector<std::uint32_t> slots_;  // position + 1; 0 is an empty slot
};

}  // namespace dnsd::wire
