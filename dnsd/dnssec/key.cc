// SigningKey through OpenSSL 3 EVP: generation, the public key as DNSKEY wants it, and the key
// file's text. Error messages name what is wrong, never the key material.
#include "dnsd/dnssec/key.hh"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ctime>

#include "dnsd/dnssec/digest.hh"
#include "dnsd/dnssec/utc_time.hh"

namespace dnsd::dnssec {
namespace {

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// The raw public key: P-256's uncompressed point without its 0x04 prefix (RFC 6605 §4),
// Ed25519's 32 bytes (RFC 8080 §3).
std::optional<std::vector<std::uint8_t>> raw_public(EVP_PKEY* key, std::uint8_t algorithm) {
  if (algorithm == algorithm::ed25519) {
    std::vector<std::uint8_t> out(32);
    std::size_t size = out.size();
    if (EVP_PKEY_get_raw_public_key(key, out.data(), &size) != 1 || size != 32) return std::nullopt;
    return out;
  }
  std::vector<std::uint8_t> point(65);
  std::size_t size = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                      &size) != 1 ||
      size != 65 || point[0] != 0x04)
    return std::nullopt;
  return std::vector<std::uint8_t>(point.begin() + 1, point.end());
}

// The algorithm a key's OpenSSL type stands for (0: one we do not sign with).
std::uint8_t algorithm_of(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return algorithm::ed25519;
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t size = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &size) == 1 &&
        (std::string_view(group) == "prime256v1" || std::string_view(group) == "P-256"))
      return algorithm::ecdsa_p256_sha256;
  }
  return 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::uint8_t> algorithm_from_text(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "13" || lower == "ecdsap256sha256" || lower == "ecdsa-p256")
    return algorithm::ecdsa_p256_sha256;
  if (lower == "15" || lower == "ed25519") return algorithm::ed25519;
  return std::nullopt;
}

std::string algorithm_to_text(std::uint8_t algorithm) {
  if (algorithm == algorithm::ecdsa_p256_sha256) return "ECDSAP256SHA256";
  if (algorithm == algorithm::ed25519) return "ED25519";
  return fmt::format("{}", algorithm);
}

std::vector<std::uint8_t> dnskey_rdata(std::uint16_t flags, std::uint8_t algorithm,
                                       std::span<const std::uint8_t> public_key) {
  std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(flags >> 8),
                                   static_cast<std::uint8_t>(flags), 3, algorithm};
  out.insert(out.end(), public_key.begin(), public_key.end());
  return out;
}

bool SigningKey::finish(std::string* error) {
  const auto pub = raw_public(pkey_.get(), algorithm_);
  if (!pub) {
    *error = "cannot read the public key from the private key";
    return false;
  }
  dnskey_ = dnskey_rdata(flags_, algorithm_, *pub);
  key_tag_ = dnssec::key_tag(dnskey_);
  return true;
}

std::optional<SigningKey> SigningKey::generate(const wire::Name& zone, std::uint8_t algorithm,
                                               std::uint16_t flags) {
  EVP_PKEY* made = nullptr;
  if (algorithm == algorithm::ed25519)
    made = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  else if (algorithm == algorithm::ecdsa_p256_sha256)
    made = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!made) return std::nullopt;
  SigningKey key;
  key.pkey_ = own(made);
  key.zone_ = zone.lowercased();
  key.algorithm_ = algorithm;
  key.flags_ = flags;
  key.created_ = static_cast<std::int64_t>(std::time(nullptr));
  std::string ignored;
  if (!key.finish(&ignored)) return std::nullopt;
  return key;
}

std::string SigningKey::file_text() const {
  std::string pem;
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio && PEM_write_bio_PrivateKey(bio, pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<std::size_t>(size));
  }
  BIO_free(bio);
  return fmt::format(
      "; dnsd DNSSEC signing key: a secret, keep it mode 0600\n"
      "zone: {}\nalgorithm: {} ({})\nflags: {}\nkey_tag: {}\ncreated: {}\n{}",
      zone_.to_text(), algorithm_, algorithm_to_text(algorithm_), flags_, key_tag_,
      utc_text(created_), pem);
}

std::optional<SigningKey> SigningKey::parse(std::string_view text, std::string* error) {
  SigningKey key;
  bool has_zone = false, has_flags = false;
  std::optional<std::uint8_t> declared_algorithm;
  const std::size_t pem_at = text.find("-----BEGIN");
  if (pem_at == std::string_view::npos) {
    *error = "no PEM private key (-----BEGIN PRIVATE KEY-----) in the key file";
    return std::nullopt;
  }
  std::string_view head = text.substr(0, pem_at);
  std::size_t line_no = 0;
  while (!head.empty()) {
    const std::size_t end = head.find('\n');
    const std::string_view line = trim(head.substr(0, end));
    head = end == std::string_view::npos ? std::string_view{} : head.substr(end + 1);
    ++line_no;
    if (line.empty() || line.front() == ';' || line.front() == '#') continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      *error = fmt::format("line {}: expected \"field: value\"", line_no);
      return std::nullopt;
    }
    const std::string_view field = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (field == "zone") {
      const auto zone = wire::Name::from_text(value);
      if (!zone) {
        *error = fmt::format("line {}: bad zone name", line_no);
        return std::nullopt;
      }
      key.zone_ = zone->lowercased();
      has_zone = true;
    } else if (field == "algorithm") {
      declared_algorithm = algorithm_from_text(value.substr(0, value.find(' ')));
      if (!declared_algorithm) {
        *error = fmt::format("line {}: unknown algorithm (expected 13 or 15)", line_no);
        return std::nullopt;
      }
    } else if (field == "flags") {
      if (value == "257")
        key.flags_ = flags_ksk;
      else if (value == "256")
        key.flags_ = flags_zsk;
      else {
        *error = fmt::format("line {}: flags must be 257 (KSK or combined) or 256 (ZSK)", line_no);
        return std::nullopt;
      }
      has_flags = true;
    } else if (field == "created") {
      const auto at = utc_from_text(value);
      if (!at) {
        *error = fmt::format("line {}: created must be like 2026-12-06T04:00:00Z", line_no);
        return std::nullopt;
      }
      key.created_ = *at;
    } else if (field != "key_tag") {  // the tag is worked out from the key, never trusted
      *error = fmt::format("line {}: unknown field {:?}", line_no, std::string(field));
      return std::nullopt;
    }
  }
  if (!has_zone || !has_flags) {
    *error = fmt::format("the key file lacks the {} field", has_zone ? "flags" : "zone");
    return std::nullopt;
  }
  const std::string_view pem = text.substr(pem_at);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* read = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (!read) {
    *error = "the PEM private key cannot be read";
    return std::nullopt;
  }
  key.pkey_ = own(read);
  key.algorithm_ = algorithm_of(read);
  if (key.algorithm_ == 0) {
    *error = "the private key is neither ECDSA P-256 nor Ed25519";
    return std::nullopt;
  }
  if (declared_algorithm && *declared_algorithm != key.algorithm_) {
    *error = fmt::format("the algorithm field says {} but the private key is {}",
                         *declared_algorithm, key.algorithm_);
    return std::nullopt;
  }
  if (!key.finish(error)) return std::nullopt;
  return key;
}

}  // namespace dnsd::dnssec
