// TSIG algorithms (RFC 8945 §6): their wire names, digest sizes and the shortest MAC allowed.
// Pure tables; no OpenSSL here (hmac.cc maps an Algorithm to a digest).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace dnsd::tsig {

enum class Algorithm : std::uint8_t { hmac_sha256, hmac_sha384, hmac_sha512, hmac_sha1 };

inline constexpr std::size_t max_digest_size = 64;  // SHA-512

// "hmac-sha256" and so on, as in BIND key files and `dig -y`.
std::string_view algorithm_text(Algorithm algorithm) noexcept;
// The algorithm's name as a lower-case uncompressed wire name ("\x0bhmac-sha256\x00").
std::span<const std::uint8_t> algorithm_wire(Algorithm algorithm) noexcept;
std::size_t digest_size(Algorithm algorithm) noexcept;
// RFC 8945 §5.2.2.1: a MAC shorter than max(10, half the digest) is a format error.
constexpr std::size_t shortest_mac(std::size_t digest) noexcept {
  return digest / 2 > 10 ? digest / 2 : 10;
}

// Both compare case-insensitively (RFC 8945 §6, names are domain names). The text form accepts
// an optional trailing dot. Unknown or unsupported (hmac-md5, gss-tsig) give nullopt: BADKEY.
std::optional<Algorithm> algorithm_from_wire(std::span<const std::uint8_t> name) noexcept;
std::optional<Algorithm> algorithm_from_text(std::string_view text) noexcept;

}  // namespace dnsd::tsig
