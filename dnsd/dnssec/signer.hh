// Making RRSIGs (RFC 4034 §3) with a SigningKey: ECDSA P-256/SHA-256 (RFC 6605, r||s) or
// Ed25519 (RFC 8080). Build time and the denial cache's misses only: it allocates and calls
// OpenSSL, so the query path never reaches it for positive answers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dnsd/dnssec/key.hh"

namespace dnsd::dnssec {

struct Validity {
  std::uint32_t inception = 0;  // Unix seconds (serial arithmetic on the wire, RFC 4034 §3.1.5)
  std::uint32_t expiration = 0;
};

struct RRsetToSign {
  std::span<const std::uint8_t> owner;  // as stored ("*" kept for a wildcard)
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::vector<std::vector<std::uint8_t>> rdatas;
};

// The RRSIG rdata over `rrset`, signer name the key's zone; nullopt when OpenSSL fails.
std::optional<std::vector<std::uint8_t>> sign_rrset(const SigningKey& key, const RRsetToSign& rrset,
                                                    const Validity& validity);

// Raw signature of `data` (P-256: r||s, 64 bytes; Ed25519: 64 bytes).
std::optional<std::vector<std::uint8_t>> sign_bytes(const SigningKey& key,
                                                    std::span<const std::uint8_t> data);

// Checks a signature made by sign_bytes with the key's public half (tests, self-check at load).
bool verify_bytes(const SigningKey& key, std::span<const std::uint8_t> data,
                  std::span<const std::uint8_t> signature);

}  // namespace dnsd::dnssec
