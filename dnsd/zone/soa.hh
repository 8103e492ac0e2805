// The five numbers at the end of SOA rdata (RFC 1035 §3.3.13: SERIAL REFRESH RETRY EXPIRE
// MINIMUM, after MNAME and RNAME), read and written in one place. Rdata too short to hold them
// reads as 0; the zone builder refuses such an SOA, so a built zone's SOA always has them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace dnsd::zone::soa {

inline constexpr std::size_t numbers_size = 20;  // five 32-bit numbers
// Two names of at least the root label each, then the numbers.
inline constexpr std::size_t min_rdata_size = 2 + numbers_size;

namespace detail {
inline std::uint32_t read_number(std::span<const std::uint8_t> rdata,
                                 std::size_t from_end) noexcept {
  if (rdata.size() < min_rdata_size) return 0;
  const std::uint8_t* at = rdata.data() + rdata.size() - from_end;
  return static_cast<std::uint32_t>(at[0]) << 24 | at[1] << 16 | at[2] << 8 | at[3];
}
}  // namespace detail

inline std::uint32_t serial(std::span<const std::uint8_t> rdata) noexcept {
  return detail::read_number(rdata, numbers_size);
}
// RFC 2308 §4: the negative-caching TTL bound.
inline std::uint32_t minimum(std::span<const std::uint8_t> rdata) noexcept {
  return detail::read_number(rdata, 4);
}
inline void set_serial(std::span<std::uint8_t> rdata, std::uint32_t serial) noexcept {
  if (rdata.size() < min_rdata_size) return;
  std::uint8_t* at = rdata.data() + rdata.size() - numbers_size;
  for (std::size_t i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(serial >> (24 - 8 * i));
}

}  // namespace dnsd::zone::soa
