// HMAC through OpenSSL 3's EVP_MAC; the digest is chosen by the TSIG algorithm.
#include "dnsd/tsig/hmac.hh"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace dnsd::tsig {
namespace {

// Fetched once: EVP_MAC_fetch is costly and the result is shareable between threads.
EVP_MAC* hmac_method() noexcept {
  static EVP_MAC* const method = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return method;
}

const char* digest_name(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::hmac_sha256:
      return "SHA256";
    case Algorithm::hmac_sha384:
      return "SHA384";
    case Algorithm::hmac_sha512:
      return "SHA512";
    case Algorithm::hmac_sha1:
      return "SHA1";
  }
  return "SHA256";
}

}  // namespace

Hmac::~Hmac() { EVP_MAC_CTX_free(ctx_); }

void Hmac::start(Algorithm algorithm, std::span<const std::uint8_t> secret) noexcept {
  EVP_MAC_CTX_free(ctx_);
  ctx_ = hmac_method() ? EVP_MAC_CTX_new(hmac_method()) : nullptr;
  ok_ = ctx_ != nullptr;
  if (!ok_) return;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                             OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name(algorithm)), 0),
                         OSSL_PARAM_construct_end()};
  // A non-null key pointer even for an empty secret: null means "keep the previous key".
  static const std::uint8_t empty = 0;
  ok_ = EVP_MAC_init(ctx_, secret.empty() ? &empty : secret.data(), secret.size(), params) == 1;
}

void Hmac::update(std::span<const std::uint8_t> bytes) noexcept {
  if (ok_ && !bytes.empty()) ok_ = EVP_MAC_update(ctx_, bytes.data(), bytes.size()) == 1;
}

void Hmac::update_u16(std::uint16_t value) noexcept {
  const std::uint8_t bytes[] = {static_cast<std::uint8_t>(value >> 8),
                                static_cast<std::uint8_t>(value)};
  update(bytes);
}

void Hmac::update_u48(std::uint64_t value) noexcept {
  std::uint8_t bytes[6];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (40 - 8 * i));
  update(bytes);
}

std::size_t Hmac::finish(Digest& out) noexcept {
  std::size_t size = 0;
  if (ok_) ok_ = EVP_MAC_final(ctx_, out.data(), &size, out.size()) == 1;
  EVP_MAC_CTX_free(ctx_);
  ctx_ = nullptr;
  const bool done = ok_;
  ok_ = false;
  return done ? size : 0;
}

bool macs_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dnsd::tsig
