// Domain names in uncompressed wire form (RFC 1035 §3.1), held by value in 256 bytes.
// No allocation except to_text(); text parsing follows the master-file rules (RFC 1035 §5.1).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dnsd::wire {

inline constexpr std::size_t max_name_size = 255;
inline constexpr std::size_t max_label_size = 63;

class Name {
 public:
  // The root name ".".
  Name() noexcept { bytes_[0] = 0; }

  // Builds a name from wire bytes that are known to be a valid uncompressed name.
  static std::optional<Name> from_wire(std::span<const std::uint8_t> wire) noexcept;

  // Parses presentation format: "www", "www.example.com.", "@", "\." and "\DDD" escapes.
  // A name without a trailing dot is relative to `origin` (and "@" is the origin itself);
  // without an origin such a name is taken as absolute. On failure returns nullopt and
  // says why in *error.
  static std::optional<Name> from_text(std::string_view text, const Name* origin = nullptr,
                                       std::string* error = nullptr);

  std::span<const std::uint8_t> wire() const noexcept { return {bytes_.data(), size_}; }
  std::size_t size() const noexcept { return size_; }
  bool is_root() const noexcept { return size_ == 1; }
  std::size_t label_count() const noexcept;
  // True when the first label is "*" (RFC 4592 §2.1.1).
  bool is_wildcard() const noexcept { return size_ > 2 && bytes_[0] == 1 && bytes_[1] == '*'; }

  // The name with its first label removed; the root's parent is the root.
  Name parent() const noexcept;
  // Prepends one label (e.g. "*"); nullopt when the result would exceed 255 bytes.
  std::optional<Name> child(std::string_view label) const noexcept;
  Name lowercased() const noexcept;
  // True when this name equals `ancestor` or lies below it (case-insensitive).
  bool is_subdomain_of(const Name& ancestor) const noexcept;
  std::string to_text() const;

  // Byte equality; compare lowercased() names for DNS equality.
  friend bool operator==(const Name& a, const Name& b) noexcept {
    return a.size_ == b.size_ &&
           std::equal(a.bytes_.begin(), a.bytes_.begin() + a.size_, b.bytes_.begin());
  }

 private:
  std::array<std::uint8_t, max_name_size + 1> bytes_{};
  std::uint8_t size_ = 1;
};

// ASCII-only lower casing: DNS names compare case-insensitively on ASCII letters only (RFC 4343).
constexpr std::uint8_t ascii_lower(std::uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c;
}

// Case-insensitive equality of two uncompressed wire names.
bool names_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

// True when `name` equals `ancestor` or lies below it (case-insensitive); both uncompressed.
bool is_subdomain(std::span<const std::uint8_t> name,
                  std::span<const std::uint8_t> ancestor) noexcept;

// Copies an uncompressed name into `out`, lower-cased, and returns the copy.
std::span<const std::uint8_t> lower_into(std::span<const std::uint8_t> name,
                                         std::array<std::uint8_t, max_name_size>& out) noexcept;

}  // namespace dnsd::wire
