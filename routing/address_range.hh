// Address arithmetic for client ranges (subnet routing, RFC 7871 scopes): an address as one
// 128-bit number, IPv4 in the low 32 bits. Pure functions; used on the query path.
#pragma once

#include <array>
#include <cstdint>

#include "routing/model.hh"

namespace routing {

__extension__ using Uint128 = unsigned __int128;

// ClientInfo/AddressRange bytes -> number (IPv4: the first 4 bytes).
Uint128 to_number(const std::array<std::uint8_t, 16>& bytes, bool v6) noexcept;
inline int address_bits(bool v6) noexcept { return v6 ? 128 : 32; }

inline bool contains(const AddressRange& range, Uint128 address) noexcept {
  return to_number(range.first, range.v6) <= address && address <= to_number(range.last, range.v6);
}
// last - first: the smaller, the more specific (ranges nest or are disjoint, conf/ checks).
inline Uint128 span_of(const AddressRange& range) noexcept {
  return to_number(range.last, range.v6) - to_number(range.first, range.v6);
}

// The shortest prefix length p such that address/p lies inside [first, last].
int prefix_inside(Uint128 address, Uint128 first, Uint128 last, int bits) noexcept;
// The shortest prefix length p such that address/p does not meet [first, last]; the address
// must lie outside the range.
int prefix_outside(Uint128 address, Uint128 first, Uint128 last, int bits) noexcept;

// "a.b.c.d/n", "x::/n", a single address, or "first-last"; nullopt-style: false on bad text.
bool parse_range(std::string_view text, AddressRange& out, std::string& why);

}  // namespace routing
