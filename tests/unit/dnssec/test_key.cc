// Key files: generated keys survive a round trip through their file; bad files are refused
// with a message that never quotes the key.
#include <doctest/doctest.h>

#include <string>

#include "dnsd/dnssec/key.hh"

using dnsd::dnssec::SigningKey;

TEST_CASE("a generated P-256 key reads back from its file with the same DNSKEY and tag") {
  const auto zone = *dnsd::wire::Name::from_text("Example.ORG.");
  const auto key = SigningKey::generate(zone, 13, 257);
  REQUIRE(key);
  CHECK(key->dnskey().size() == 4 + 64);
  const std::string text = key->file_text();
  CHECK(text.find("zone: example.org.") != std::string::npos);
  CHECK(text.find("BEGIN PRIVATE KEY") != std::string::npos);
  std::string error;
  const auto back = SigningKey::parse(text, &error);
  REQUIRE_MESSAGE(back, error);
  CHECK(std::equal(back->dnskey().begin(), back->dnskey().end(), key->dnskey().begin(),
                   key->dnskey().end()));
  CHECK(back->key_tag() == key->key_tag());
  CHECK(back->flags() == 257);
  CHECK(back->created() == key->created());
}

TEST_CASE("a generated Ed25519 zone-signing key keeps flags 256") {
  const auto key = SigningKey::generate(*dnsd::wire::Name::from_text("example.org."), 15, 256);
  REQUIRE(key);
  CHECK(key->dnskey().size() == 4 + 32);
  std::string error;
  const auto back = SigningKey::parse(key->file_text(), &error);
  REQUIRE_MESSAGE(back, error);
  CHECK(back->algorithm() == 15);
  CHECK(back->flags() == 256);
}

TEST_CASE("a key file whose algorithm field contradicts its key is refused") {
  const auto key = SigningKey::generate(*dnsd::wire::Name::from_text("example.org."), 15, 257);
  REQUIRE(key);
  std::string text = key->file_text();
  text.replace(text.find("algorithm: 15"), 13, "algorithm: 13");
  std::string error;
  CHECK_FALSE(SigningKey::parse(text, &error));
  CHECK(error.find("algorithm") != std::string::npos);
}

TEST_CASE("a damaged key file is refused without quoting its content") {
  const auto key = SigningKey::generate(*dnsd::wire::Name::from_text("example.org."), 13, 257);
  REQUIRE(key);
  std::string text = key->file_text();
  const auto body = text.find('\n', text.find("-----BEGIN")) + 1;
  const std::string secret_part = text.substr(body, 20);
  text[body + 5] = '!';
  text[body + 6] = '!';
  std::string error;
  CHECK_FALSE(SigningKey::parse(text, &error));
  CHECK(error.find(secret_part.substr(0, 10)) == std::string::npos);
  CHECK_FALSE(SigningKey::parse("zone: example.org.\nflags: 257\n", &error));
  CHECK(error.find("PEM") != std::string::npos);
}
