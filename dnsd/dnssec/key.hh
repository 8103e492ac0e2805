// DNSSEC signing keys (RFC 4034 §2, RFC 6605, RFC 8080): an OpenSSL private key with the DNSKEY
// it publishes, read from and written to dnsd's key files. Never prints the private key; the
// file text is made only for `dnsctl keygen` to write with mode 0600.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dnsd/wire/name.hh"

using EVP_PKEY = struct evp_pkey_st;

namespace dnsd::dnssec {

namespace algorithm {
inline constexpr std::uint8_t ecdsa_p256_sha256 = 13, ed25519 = 15;
}
inline constexpr std::uint16_t flags_ksk = 257, flags_zsk = 256;  // ZONE, plus SEP for a KSK

// "ecdsap256sha256" / "13" -> 13, "ed25519" / "15" -> 15; nullopt for anything else.
std::optional<std::uint8_t> algorithm_from_text(std::string_view text);
std::string algorithm_to_text(std::uint8_t algorithm);

class SigningKey {
 public:
  // A fresh key pair made by OpenSSL (EVP), or nullopt when OpenSSL fails.
  static std::optional<SigningKey> generate(const wire::Name& zone, std::uint8_t algorithm,
                                            std::uint16_t flags);
  // Parses a key file (key_file_text's form). On failure nullopt and *error says what is wrong,
  // never quoting the file.
  static std::optional<SigningKey> parse(std::string_view text, std::string* error);

  const wire::Name& zone() const noexcept { return zone_; }
  std::uint8_t algorithm() const noexcept { return algorithm_; }
  std::uint16_t flags() const noexcept { return flags_; }
  std::uint16_t key_tag() const noexcept { return key_tag_; }
  // DNSKEY rdata: flags, protocol 3, algorithm, public key (RFC 4034 §2.1).
  std::span<const std::uint8_t> dnskey() const noexcept { return dnskey_; }
  std::int64_t created() const noexcept { return created_; }  // Unix seconds
  EVP_PKEY* pkey() const noexcept { return pkey_.get(); }

  // The key file: metadata lines, then the PKCS#8 PEM private key. A secret.
  std::string file_text() const;

 private:
  SigningKey() = default;
  bool finish(std::string* error);  // DNSKEY and key tag from pkey_
  wire::Name zone_;
  std::uint8_t algorithm_ = 0;
  std::uint16_t flags_ = flags_ksk;
  std::uint16_t key_tag_ = 0;
  std::vector<std::uint8_t> dnskey_;
  std::int64_t created_ = 0;
  std::shared_ptr<EVP_PKEY> pkey_;
};

// The DNSKEY rdata of a public key given raw (P-256: X||Y, 64 bytes; Ed25519: 32 bytes).
std::vector<std::uint8_t> dnskey_rdata(std::uint16_t flags, std::uint8_t algorithm,
                                       std::span<const std::uint8_t> public_key);

}  // namespace dnsd::dnssec
