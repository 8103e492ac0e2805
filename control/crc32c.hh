// CRC32C (Castagnoli, RFC 3720 appendix B.4): the checksum of the update log's entries. A small
// table-driven version; no hardware path (entries are a few hundred bytes, written rarely).
#pragma once

#include <cstdint>
#include <span>

namespace control {

// The CRC32C of `bytes`, continuing from `crc` (0 for a fresh start), so that
// crc32c(b, crc32c(a)) == crc32c(a + b).
std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0) noexcept;

}  // namespace control
