// SOA serial number arithmetic (RFC 1982 §3, SERIAL_BITS = 32): serials wrap around, so
// "newer" is a comparison on the circle, not of integers. Pure functions, nothing else.
#pragma once

#include <cstdint>

namespace dnsd::zone {

inline constexpr std::uint32_t serial_half = 0x80000000u;  // 2^(SERIAL_BITS - 1)

// RFC 1982 §3.1: n may be at most 2^31 - 1; the sum wraps modulo 2^32.
constexpr std::uint32_t serial_add(std::uint32_t serial, std::uint32_t n) noexcept {
  return serial + n;  // unsigned arithmetic is modulo 2^32
}

// RFC 1982 §3.2: s1 < s2 when s2 lies less than half the circle ahead of s1. For two serials
// exactly half the circle apart neither is less than the other (the comparison is undefined).
constexpr bool serial_lt(std::uint32_t s1, std::uint32_t s2) noexcept {
  return (s1 < s2 && s2 - s1 < serial_half) || (s1 > s2 && s1 - s2 > serial_half);
}
constexpr bool serial_gt(std::uint32_t s1, std::uint32_t s2) noexcept { return serial_lt(s2, s1); }

static_assert(serial_lt(0xffffffffu, 0) && serial_gt(1, 0xffffffffu) && !serial_lt(0, serial_half));

}  // namespace dnsd::zone
