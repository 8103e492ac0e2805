// Key tags and DS digests against the examples published with the algorithms.
#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "dnsd/dnssec/digest.hh"
#include "dnsd/dnssec/key.hh"

namespace {

std::vector<std::uint8_t> base64(const std::string& text) {
  std::vector<std::uint8_t> out(text.size());
  const int size = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                   static_cast<int>(text.size()));
  REQUIRE(size >= 0);
  std::size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<std::size_t>(size) - padding);
  return out;
}

std::vector<std::uint8_t> name(const char* text) {
  const auto parsed = dnsd::wire::Name::from_text(text);
  return {parsed->wire().begin(), parsed->wire().end()};
}

}  // namespace

TEST_CASE("the RFC 6605 P-256 example key has key tag 55648 and its published DS") {
  const auto key = dnsd::dnssec::dnskey_rdata(
      257, 13,
      base64("GojIhhXUN/"
             "u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="));
  CHECK(dnsd::dnssec::key_tag(key) == 55648);
  CHECK(dnsd::dnssec::ds_text(dnsd::dnssec::ds_rdata(name("example.net."), key)) ==
        "55648 13 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17");
}

TEST_CASE("the DS digest lower-cases the owner name first") {
  const auto key = dnsd::dnssec::dnskey_rdata(
      257, 13,
      base64("GojIhhXUN/"
             "u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="));
  CHECK(dnsd::dnssec::ds_rdata(name("EXAMPLE.Net."), key) ==
        dnsd::dnssec::ds_rdata(name("example.net."), key));
}

TEST_CASE("the RFC 8080 Ed25519 example key has key tag 3613 and its published DS") {
  const auto key =
      dnsd::dnssec::dnskey_rdata(257, 15, base64("l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="));
  CHECK(dnsd::dnssec::key_tag(key) == 3613);
  CHECK(dnsd::dnssec::ds_text(dnsd::dnssec::ds_rdata(name("example.com."), key)) ==
        "3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b");
}
