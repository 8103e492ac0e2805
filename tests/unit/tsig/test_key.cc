// Keys: base64 secrets, BIND key files (as tsig-keygen writes them), the keyring; and that no
// error text ever quotes a secret.
#include <doctest/doctest.h>

#include "dnsd/tsig/key.hh"

namespace {

using dnsd::tsig::Algorithm;
using dnsd::tsig::parse_secret;

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace

TEST_CASE("base64 secrets decode per RFC 4648, padding and whitespace included") {
  CHECK(parse_secret("Zm9v") == bytes("foo"));
  CHECK(parse_secret("Zm9vYg==") == bytes("foob"));
  CHECK(parse_secret("Zm9vYmE=") == bytes("fooba"));
  CHECK(parse_secret(" Zm9v\nYmFy\t") == bytes("foobar"));
  CHECK(parse_secret("+/+/")->size() == 3);
}

TEST_CASE("malformed base64 is refused, and the error does not quote it") {
  for (const char* text : {"Zm9vYg=", "Zm9vY", "Zm9v!A==", "Zm=9v", "Zm9vYh==", "", "===="}) {
    CAPTURE(text);
    std::string error;
    CHECK_FALSE(parse_secret(text, &error).has_value());
    CHECK_FALSE(error.empty());
    if (std::string_view(text).size() > 2) CHECK(error.find(text) == std::string::npos);
  }
}

TEST_CASE(
    "algorithm names compare case-insensitively, with or without the trailing dot (RFC 8945 §6)") {
  CHECK(dnsd::tsig::algorithm_from_text("HMAC-SHA256") == Algorithm::hmac_sha256);
  CHECK(dnsd::tsig::algorithm_from_text("hmac-sha384.") == Algorithm::hmac_sha384);
  CHECK(dnsd::tsig::algorithm_from_text("Hmac-Sha512") == Algorithm::hmac_sha512);
  CHECK(dnsd::tsig::algorithm_from_text("hmac-sha1") == Algorithm::hmac_sha1);
  CHECK_FALSE(dnsd::tsig::algorithm_from_text("hmac-md5").has_value());
  CHECK_FALSE(dnsd::tsig::algorithm_from_text("hmac-sha25").has_value());
  const std::uint8_t upper[] = {11, 'H', 'M', 'A', 'C', '-', 'S', 'H', 'A', '5', '1', '2', 0};
  CHECK(dnsd::tsig::algorithm_from_wire(upper) == Algorithm::hmac_sha512);
}

TEST_CASE("the shortest MAC allowed is max(10, half the digest) (RFC 8945 §5.2.2.1)") {
  CHECK(dnsd::tsig::shortest_mac(20) == 10);
  CHECK(dnsd::tsig::shortest_mac(32) == 16);
  CHECK(dnsd::tsig::shortest_mac(48) == 24);
  CHECK(dnsd::tsig::shortest_mac(64) == 32);
}

TEST_CASE("a BIND key file (tsig-keygen's output) loads, names lower-cased") {
  const auto keys = dnsd::tsig::parse_key_file(
      "# made by tsig-keygen\n"
      "key \"Transfer.Example.\" {\n"
      "\talgorithm hmac-sha512;\n"
      "\tsecret \"Zm9vYmFy\";\n"
      "};\n"
      "/* a second key */ key notify-key { algorithm HMAC-SHA1; secret \"Zm9v\"; }; // done\n",
      "keys.conf");
  REQUIRE(keys.has_value());
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].name.to_text() == "transfer.example.");
  CHECK((*keys)[0].algorithm == Algorithm::hmac_sha512);
  CHECK((*keys)[0].secret == bytes("foobar"));
  CHECK((*keys)[1].name.to_text() == "notify-key.");
  CHECK((*keys)[1].algorithm == Algorithm::hmac_sha1);
}

TEST_CASE("key file errors give file and line, and never the secret") {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"key \"k\" {\n algorithm hmac-sha256;\n secret \"c2VjcmV0c2VjcmV0!\";\n};\n",
       "keys.conf:3: key \"k\": secret is not valid base64"},
      {"key \"k\" {\n algorithm hmac-md5;\n secret \"c2VjcmV0c2VjcmV0\";\n};\n",
       "keys.conf:3: key \"k\": unsupported algorithm \"hmac-md5\""},
      {"key \"k\" {\n secret \"c2VjcmV0c2VjcmV0\";\n};\n", "keys.conf:1: key \"k\": no algorithm"},
      {"key \"k\" {\n algorithm hmac-sha256;\n secret \"c2VjcmV0c2VjcmV0\"\n};\n",
       "keys.conf:3: key \"k\": expected ';' after secret"},
      {"key \"k\" {\n algorithm hmac-sha256;\n secrets \"c2VjcmV0c2VjcmV0\";\n};\n",
       "keys.conf:3: key \"k\": expected algorithm or secret"},
      {"options { };\n", "keys.conf:1: expected a key statement"},
      {"", "keys.conf:1: no key statement"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    std::string error;
    CHECK_FALSE(dnsd::tsig::parse_key_file(c.text, "keys.conf", &error).has_value());
    CHECK(error.rfind(c.expected, 0) == 0);
    CHECK(error.find("c2VjcmV0") == std::string::npos);
  }
}

TEST_CASE("a missing key file is an error naming the file") {
  std::string error;
  CHECK_FALSE(dnsd::tsig::load_key_file("/nonexistent/dnsd.key", &error).has_value());
  CHECK(error == "/nonexistent/dnsd.key: cannot open");
}

TEST_CASE("the keyring finds a key by name in any case and by algorithm") {
  auto sha256 = dnsd::tsig::make_key("xfr.example.", "hmac-sha256", "Zm9vYmFy");
  auto sha1 = dnsd::tsig::make_key("notify.example.", "hmac-sha1", "Zm9v");
  REQUIRE(sha256);
  REQUIRE(sha1);
  const dnsd::tsig::Keyring keyring({*sha256, *sha1});
  const auto upper = dnsd::wire::Name::from_text("XFR.Example.");
  REQUIRE(upper);
  CHECK(keyring.find(upper->wire(), Algorithm::hmac_sha256) == &keyring.keys()[0]);
  CHECK(keyring.find(upper->wire(), Algorithm::hmac_sha1) == nullptr);
  CHECK(keyring.find(sha1->name.wire(), Algorithm::hmac_sha1) == &keyring.keys()[1]);
  const auto other = dnsd::wire::Name::from_text("other.example.");
  CHECK(keyring.find(other->wire(), Algorithm::hmac_sha256) == nullptr);
}
