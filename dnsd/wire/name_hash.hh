// The one hash of lower-cased wire names (FNV-1a, 64 bit), shared by every name index and by
// Reader::lowered_name, which hashes as it reads. A step at a time, so readers need no second pass.
#pragma once

#include <cstdint>
#include <span>

namespace dnsd::wire {

inline constexpr std::uint64_t name_hash_basis = 14695981039346656037ull;

constexpr std::uint64_t name_hash_step(std::uint64_t hash, std::uint8_t byte) noexcept {
  return (hash ^ byte) * 1099511628211ull;
}

constexpr std::uint64_t name_hash(std::span<const std::uint8_t> lowered) noexcept {
  std::uint64_t hash = name_hash_basis;
  for (auto byte : lowered) hash = name_hash_step(hash, byte);
  return hash;
}

}  // namespace dnsd::wire
