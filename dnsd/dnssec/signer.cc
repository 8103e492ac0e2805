// RRSIG making through OpenSSL EVP_DigestSign (see signer.hh).
#include "dnsd/dnssec/signer.hh"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "dnsd/dnssec/canonical.hh"
#include "dnsd/wire/types.hh"

namespace dnsd::dnssec {
namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}

const EVP_MD* digest_for(const SigningKey& key) {
  return key.algorithm() == algorithm::ed25519 ? nullptr : EVP_sha256();  // Ed25519: none
}

}  // namespace

std::optional<std::vector<std::uint8_t>> sign_bytes(const SigningKey& key,
                                                    std::span<const std::uint8_t> data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::vector<std::uint8_t> der(128);
  std::size_t size = der.size();
  const bool ok = ctx &&
                  EVP_DigestSignInit(ctx, nullptr, digest_for(key), nullptr, key.pkey()) == 1 &&
                  EVP_DigestSign(ctx, der.data(), &size, data.data(), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  der.resize(size);
  if (key.algorithm() == algorithm::ed25519) return der;
  // RFC 6605 §4: r and s, each 32 bytes big-endian, where OpenSSL gives DER.
  const unsigned char* at = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &at, static_cast<long>(der.size()));
  if (!sig) return std::nullopt;
  std::vector<std::uint8_t> raw(64);
  const bool fits = BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32) == 32 &&
                    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  if (!fits) return std::nullopt;
  return raw;
}

bool verify_bytes(const SigningKey& key, std::span<const std::uint8_t> data,
                  std::span<const std::uint8_t> signature) {
  std::vector<std::uint8_t> der(signature.begin(), signature.end());
  if (key.algorithm() == algorithm::ecdsa_p256_sha256) {
    if (signature.size() != 64) return false;
    ECDSA_SIG* sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(signature.data(), 32, nullptr),
                   BN_bin2bn(signature.data() + 32, 32, nullptr));
    unsigned char* out = nullptr;
    const int size = i2d_ECDSA_SIG(sig, &out);
    ECDSA_SIG_free(sig);
    if (size <= 0) return false;
    der.assign(out, out + size);
    OPENSSL_free(out);
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx &&
                  EVP_DigestVerifyInit(ctx, nullptr, digest_for(key), nullptr, key.pkey()) == 1 &&
                  EVP_DigestVerify(ctx, der.data(), der.size(), data.data(), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::optional<std::vector<std::uint8_t>> sign_rrset(const SigningKey& key, const RRsetToSign& rrset,
                                                    const Validity& validity) {
  std::vector<std::uint8_t> rdata;
  put16(rdata, rrset.type);
  rdata.push_back(key.algorithm());
  rdata.push_back(rrsig_labels(rrset.owner));
  put32(rdata, rrset.ttl);
  put32(rdata, validity.expiration);
  put32(rdata, validity.inception);
  put16(rdata, key.key_tag());
  const auto signer = key.zone().lowercased();  // RFC 6840 §5.1: signer's name lower-case
  rdata.insert(rdata.end(), signer.wire().begin(), signer.wire().end());
  const auto data = signed_data(rdata, rrset.owner, rrset.type, rrset.ttl, rrset.rdatas);
  const auto signature = sign_bytes(key, data);
  if (!signature) return std::nullopt;
  rdata.insert(rdata.end(), signature->begin(), signature->end());
  return rdata;
}

}  // namespace dnsd::dnssec
