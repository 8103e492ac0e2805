// HMAC over OpenSSL's EVP_MAC for the TSIG algorithms, fed piece by piece. Failures are sticky
// and reported by finish(); nothing throws. OpenSSL allocates its context: keep this off the
// plain-query path (TSIG covers transfers, UPDATE and NOTIFY).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dnsd/tsig/algorithm.hh"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX, kept out of this header

namespace dnsd::tsig {

using Digest = std::array<std::uint8_t, max_digest_size>;

// A MAC held by value: a request's, to prefix the response's (RFC 8945 §5.3), or the previous
// message's in a sequence (§5.3.1). Possibly truncated (§5.2.2.1).
struct Mac {
  Digest bytes{};
  std::uint8_t size = 0;
  std::span<const std::uint8_t> view() const noexcept { return {bytes.data(), size}; }
  void assign(std::span<const std::uint8_t> mac) noexcept {
    size = static_cast<std::uint8_t>(mac.size() < bytes.size() ? mac.size() : bytes.size());
    for (std::size_t i = 0; i < size; ++i) bytes[i] = mac[i];
  }
};

class Hmac {
 public:
  Hmac() noexcept = default;
  ~Hmac();
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  // Begins a new MAC with this key (any previous one is dropped).
  void start(Algorithm algorithm, std::span<const std::uint8_t> secret) noexcept;
  void update(std::span<const std::uint8_t> bytes) noexcept;
  void update_u16(std::uint16_t value) noexcept;
  void update_u48(std::uint64_t value) noexcept;
  // Writes the digest; returns its size, or 0 when any step failed.
  std::size_t finish(Digest& out) noexcept;

 private:
  evp_mac_ctx_st* ctx_ = nullptr;
  bool ok_ = false;
};

// Constant-time comparison of two MACs of the same length (CRYPTO_memcmp).
bool macs_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

}  // namespace dnsd::tsig
