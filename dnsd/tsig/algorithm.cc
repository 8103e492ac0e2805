// TSIG algorithm table (RFC 8945 §6; hmac-sha1 kept for old peers).
#include "dnsd/tsig/algorithm.hh"

#include <array>

#include "dnsd/wire/name.hh"

namespace dnsd::tsig {
namespace {

struct Entry {
  Algorithm algorithm;
  std::string_view text;
  std::span<const std::uint8_t> wire;
  std::size_t digest;
};

constexpr std::uint8_t sha256_wire[] = {11,  'h', 'm', 'a', 'c', '-', 's',
                                        'h', 'a', '2', '5', '6', 0};
constexpr std::uint8_t sha384_wire[] = {11,  'h', 'm', 'a', 'c', '-', 's',
                                        'h', 'a', '3', '8', '4', 0};
constexpr std::uint8_t sha512_wire[] = {11,  'h', 'm', 'a', 'c', '-', 's',
                                        'h', 'a', '5', '1', '2', 0};
constexpr std::uint8_t sha1_wire[] = {9, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '1', 0};

constexpr std::array<Entry, 4> table{{
    {Algorithm::hmac_sha256, "hmac-sha256", sha256_wire, 32},
    {Algorithm::hmac_sha384, "hmac-sha384", sha384_wire, 48},
    {Algorithm::hmac_sha512, "hmac-sha512", sha512_wire, 64},
    {Algorithm::hmac_sha1, "hmac-sha1", sha1_wire, 20},
}};

const Entry& entry(Algorithm algorithm) noexcept {
  return table[static_cast<std::size_t>(algorithm)];
}

bool text_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (wire::ascii_lower(static_cast<std::uint8_t>(a[i])) !=
        wire::ascii_lower(static_cast<std::uint8_t>(b[i])))
      return false;
  return true;
}

}  // namespace

std::string_view algorithm_text(Algorithm algorithm) noexcept { return entry(algorithm).text; }
std::span<const std::uint8_t> algorithm_wire(Algorithm algorithm) noexcept {
  return entry(algorithm).wire;
}
std::size_t digest_size(Algorithm algorithm) noexcept { return entry(algorithm).digest; }

std::optional<Algorithm> algorithm_from_wire(std::span<const std::uint8_t> name) noexcept {
  for (const Entry& e : table)
    if (wire::names_equal(name, e.wire)) return e.algorithm;
  return std::nullopt;
}

std::optional<Algorithm> algorithm_from_text(std::string_view text) noexcept {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  for (const Entry& e : table)
    if (text_equal(text, e.text)) return e.algorithm;
  return std::nullopt;
}

}  // namespace dnsd::tsig
