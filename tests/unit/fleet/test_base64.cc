#include <doctest/doctest.h>

#include <string>

#include "fleet/base64.hh"

using fleet::base64_decode;
using fleet::base64_encode;

TEST_CASE("base64: the RFC 4648 test vectors encode and decode") {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(plain) == encoded);
    std::string back;
    REQUIRE(base64_decode(encoded, back));
    CHECK(back == plain);
  }
}

TEST_CASE("base64: binary bytes, zeros included, survive a round trip") {
  const std::string bytes("\0\xff\x01\0\x80", 5);
  std::string back;
  REQUIRE(base64_decode(base64_encode(bytes), back));
  CHECK(back == bytes);
}

TEST_CASE("base64: text that is not base64 is refused") {
  std::string out;
  CHECK_FALSE(base64_decode("Zm9", out));
  CHECK_FALSE(base64_decode("Zm9*", out));
}
