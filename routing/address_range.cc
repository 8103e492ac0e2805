// Address ranges: parsing (for conf/) and the prefix arithmetic behind RFC 7871 scopes.
#include "routing/address_range.hh"

#include <arpa/inet.h>

#include <string>

namespace routing {

Uint128 to_number(const std::array<std::uint8_t, 16>& bytes, bool v6) noexcept {
  Uint128 n = 0;
  for (int i = 0; i < (v6 ? 16 : 4); ++i) n = (n << 8) | bytes[static_cast<std::size_t>(i)];
  return n;
}

namespace {

void to_bytes(Uint128 n, bool v6, std::array<std::uint8_t, 16>& out) noexcept {
  out.fill(0);
  for (int i = (v6 ? 15 : 3); i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n & 0xff);
    n >>= 8;
  }
}

// The block of `prefix` leading bits around `address`: [base, top].
void block(Uint128 address, int prefix, int bits, Uint128& base, Uint128& top) noexcept {
  const Uint128 all = bits == 128 ? ~Uint128{0} : (Uint128{1} << bits) - 1;
  const Uint128 host = prefix >= bits ? 0 : (all >> prefix);
  base = address & ~host & all;
  top = base | host;
}

bool parse_address(const std::string& text, bool& v6, std::array<std::uint8_t, 16>& out) {
  out.fill(0);
  if (inet_pton(AF_INET, text.c_str(), out.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

}  // namespace

int prefix_inside(Uint128 address, Uint128 first, Uint128 last, int bits) noexcept {
  for (int p = 0; p <= bits; ++p) {
    Uint128 base, top;
    block(address, p, bits, base, top);
    if (first <= base && top <= last) return p;
  }
  return bits;
}

// Outside [first, last], the block stops meeting the range one bit after the address parts
// from the nearer end: the common prefix of the two, plus one.
int prefix_outside(Uint128 address, Uint128 first, Uint128 last, int bits) noexcept {
  const Uint128 differ = address < first ? (address ^ first) : (address ^ last);
  const auto high = static_cast<std::uint64_t>(differ >> 64),
             low = static_cast<std::uint64_t>(differ);
  const int length = high ? 128 - __builtin_clzll(high) : (low ? 64 - __builtin_clzll(low) : 0);
  const int common = bits - length;
  return common < bits ? common + 1 : bits;
}

bool parse_range(std::string_view text, AddressRange& out, std::string& why) {
  out = AddressRange{};
  out.text = std::string(text);
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    bool v6_last = false;
    if (!parse_address(std::string(text.substr(0, dash)), out.v6, out.first) ||
        !parse_address(std::string(text.substr(dash + 1)), v6_last, out.last)) {
      why = "is not an address range (expected first-last, e.g. 192.0.2.10-192.0.2.20)";
      return false;
    }
    if (v6_last != out.v6) {
      why = "mixes IPv4 and IPv6";
      return false;
    }
    const Uint128 first = to_number(out.first, out.v6), last = to_number(out.last, out.v6);
    if (first > last) {
      why = "ends before it starts";
      return false;
    }
    // A first-last range that is exactly a CIDR block gets its prefix, for the ECS scope.
    const int bits = address_bits(out.v6);
    const int p = prefix_inside(first, first, last, bits);
    Uint128 base, top;
    block(first, p, bits, base, top);
    if (base == first && top == last) out.prefix = p;
    return true;
  }
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  if (!parse_address(address, out.v6, out.first)) {
    why = "is not an address, a CIDR block or a first-last range";
    return false;
  }
  const int bits = address_bits(out.v6);
  int prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string digits(text.substr(slash + 1));
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string::npos || std::stoi(digits) > bits) {
      why = "has a bad prefix length (expected 0 to " + std::to_string(bits) + ")";
      return false;
    }
    prefix = std::stoi(digits);
  }
  Uint128 base, top;
  const Uint128 n = to_number(out.first, out.v6);
  block(n, prefix, bits, base, top);
  if (base != n) {
    why = "has bits set after the prefix length";
    return false;
  }
  to_bytes(top, out.v6, out.last);
  out.prefix = prefix;
  return true;
}

}  // namespace routing
