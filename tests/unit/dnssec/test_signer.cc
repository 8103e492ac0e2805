// RRSIGs: the RFC 8080 Ed25519 example signature reproduced byte for byte (Ed25519 is
// deterministic), P-256 signatures checked by OpenSSL, and the canonical form of RFC 4034 §6.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <string>
#include <vector>

#include "dnsd/dnssec/canonical.hh"
#include "dnsd/dnssec/key.hh"
#include "dnsd/dnssec/signer.hh"

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes base64(const std::string& text) {
  Bytes out(text.size());
  const int size = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                   static_cast<int>(text.size()));
  REQUIRE(size >= 0);
  std::size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<std::size_t>(size) - padding);
  return out;
}

Bytes name(const char* text) {
  const auto parsed = dnsd::wire::Name::from_text(text);
  return {parsed->wire().begin(), parsed->wire().end()};
}

// The RFC 8080 §6.1 key, through a key file as dnsd reads it.
dnsd::dnssec::SigningKey rfc8080_key() {
  const Bytes secret = base64("ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=");
  EVP_PKEY* pkey =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, secret.data(), secret.size());
  REQUIRE(pkey);
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  const std::string text = "zone: example.com.\nalgorithm: 15\nflags: 257\n" +
                           std::string(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  std::string error;
  auto key = dnsd::dnssec::SigningKey::parse(text, &error);
  REQUIRE_MESSAGE(key, error);
  return *key;
}

}  // namespace

TEST_CASE("the RFC 8080 Ed25519 key gives the published DNSKEY and key tag") {
  const auto key = rfc8080_key();
  CHECK(key.key_tag() == 3613);
  const Bytes expected = base64("l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
  CHECK(Bytes(key.dnskey().begin() + 4, key.dnskey().end()) == expected);
}

TEST_CASE("the RFC 8080 example MX RRSIG is reproduced byte for byte") {
  const auto key = rfc8080_key();
  const Bytes owner = name("example.com.");
  dnsd::dnssec::RRsetToSign mx{owner, 15, 3600, {}};
  Bytes rdata = {0, 10};
  const Bytes target = name("mail.example.com.");
  rdata.insert(rdata.end(), target.begin(), target.end());
  mx.rdatas.push_back(rdata);
  const auto rrsig = dnsd::dnssec::sign_rrset(key, mx, {1438207200, 1440021600});
  REQUIRE(rrsig);
  const Bytes signature(rrsig->end() - 64, rrsig->end());
  CHECK(signature == base64("oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23"
                            "mRZ9VrbpMngwcrqNAg=="));
  // Type covered MX, algorithm 15, 2 labels, original TTL, expiration, inception, tag.
  CHECK(Bytes(rrsig->begin(), rrsig->begin() + 18) == Bytes{0, 15, 15, 2, 0, 0, 0x0e, 0x10, 0x55,
                                                            0xd4, 0xfc, 0x60, 0x55, 0xb9, 0x4c,
                                                            0xe0, 0x0e, 0x1d});
}

TEST_CASE("a P-256 RRSIG verifies with the key's public half over the canonical data") {
  const auto key =
      dnsd::dnssec::SigningKey::generate(*dnsd::wire::Name::from_text("example.org."), 13, 257);
  REQUIRE(key);
  const Bytes data = {1, 2, 3, 4};
  const auto signature = dnsd::dnssec::sign_bytes(*key, data);
  REQUIRE(signature);
  CHECK(signature->size() == 64);
  CHECK(dnsd::dnssec::verify_bytes(*key, data, *signature));
  Bytes changed = data;
  changed[0] ^= 1;
  CHECK_FALSE(dnsd::dnssec::verify_bytes(*key, changed, *signature));
}

TEST_CASE("canonical form: names in NS, MX and SOA rdata are lower-cased, TXT is left alone") {
  const Bytes ns = name("NS1.Example.ORG.");
  CHECK(dnsd::dnssec::canonical_rdata(2, ns) == name("ns1.example.org."));
  Bytes mx = {0, 5};
  const Bytes mail = name("Mail.Example.org.");
  mx.insert(mx.end(), mail.begin(), mail.end());
  Bytes mx_lower = {0, 5};
  const Bytes mail_lower = name("mail.example.org.");
  mx_lower.insert(mx_lower.end(), mail_lower.begin(), mail_lower.end());
  CHECK(dnsd::dnssec::canonical_rdata(15, mx) == mx_lower);
  const Bytes txt = {3, 'A', 'b', 'C'};
  CHECK(dnsd::dnssec::canonical_rdata(16, txt) == txt);
}

TEST_CASE("canonical order sorts rdatas as octet strings and keeps duplicates once") {
  const Bytes head;
  const Bytes owner = name("a.");
  const auto data = dnsd::dnssec::signed_data(head, owner, 1, 60,
                                              {{192, 0, 2, 2}, {10, 0, 0, 1}, {192, 0, 2, 2}});
  // Two RRs of (owner 3, type/class/ttl/rdlength 10, rdata 4): 10.0.0.1 first.
  REQUIRE(data.size() == 2 * 17);
  CHECK(data[13] == 10);
  CHECK(data[17 + 13] == 192);
}

TEST_CASE("the RRSIG labels field leaves out the root and a leading wildcard") {
  CHECK(dnsd::dnssec::rrsig_labels(name("www.example.org.")) == 3);
  CHECK(dnsd::dnssec::rrsig_labels(name("*.example.org.")) == 2);
  CHECK(dnsd::dnssec::rrsig_labels(name(".")) == 0);
}
