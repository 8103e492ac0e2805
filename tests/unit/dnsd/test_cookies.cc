// DNS Cookies: SipHash-2-4 against OpenSSL and the reference vector, RFC 9018's server cookie
// and its checks, and what the engine answers to each kind of COOKIE option (RFC 7873 §5.2)
// on the fast path and the general path alike.
#include <doctest/doctest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstring>
#include <numeric>

#include "dnsd/cookies.hh"
#include "dnsd/wire/types.hh"
#include "zone_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

cookies::Secret secret_from_hex(std::string_view hex) {
  cookies::Secret secret{};
  const auto bytes = from_hex(hex);
  std::copy(bytes.begin(), bytes.end(), secret.begin());
  return secret;
}

std::uint64_t openssl_siphash(const cookies::Secret& key, std::span<const std::uint8_t> data) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  std::size_t size = 8;
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                               OSSL_PARAM_construct_end()};
  std::array<std::uint8_t, 8> out{};
  std::size_t written = 0;
  REQUIRE(EVP_MAC_init(ctx, key.data(), key.size(), params) == 1);
  REQUIRE(EVP_MAC_update(ctx, data.data(), data.size()) == 1);
  REQUIRE(EVP_MAC_final(ctx, out.data(), &written, out.size()) == 1);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = value << 8 | out[static_cast<std::size_t>(i)];
  return value;
}

cookies::Address ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  cookies::Address address;
  address.bytes = {a, b, c, d};
  return address;
}

const cookies::Secret k_secret = secret_from_hex("e5e973e5a6b2a43f48e7dc849e37bfcf");
const std::array<std::uint8_t, 8> k_client = {0x24, 0x64, 0xc4, 0xab, 0xcf, 0x10, 0xc9, 0x57};
constexpr std::uint32_t k_now = 1559731985;

}  // namespace

TEST_CASE("siphash: the reference vector of the SipHash paper") {
  cookies::Secret key{};
  std::iota(key.begin(), key.end(), 0);
  std::vector<std::uint8_t> message(15);
  std::iota(message.begin(), message.end(), 0);
  CHECK(cookies::siphash24(key, message) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("siphash: agrees with OpenSSL's SIPHASH for every length up to 48 bytes") {
  const cookies::Secret key = secret_from_hex("000102030405060708090a0b0c0d0e0f");
  std::vector<std::uint8_t> data(48);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 37 + 11);
  for (std::size_t size = 0; size <= data.size(); ++size)
    CHECK(cookies::siphash24(key, std::span(data).first(size)) ==
          openssl_siphash(key, std::span(data).first(size)));
}

TEST_CASE("server cookie: RFC 9018 appendix A.1's example is reproduced") {
  const auto cookie = cookies::mint(k_secret, k_client, k_now, ipv4(198, 51, 100, 100));
  CHECK(std::vector<std::uint8_t>(cookie.begin(), cookie.end()) ==
        from_hex("010000005cf79f111f8130c3eee29480"));
}

TEST_CASE("server cookie: checked against its secret, client cookie, address and age") {
  const cookies::Secrets secrets{k_secret, std::nullopt};
  const auto address = ipv4(198, 51, 100, 100);
  const auto cookie = cookies::mint(k_secret, k_client, k_now, address);
  using V = cookies::Verdict;
  CHECK(cookies::check(secrets, k_client, cookie, k_now, address) == V::fresh);
  CHECK(cookies::check(secrets, k_client, cookie, k_now + 1800, address) == V::fresh);
  CHECK(cookies::check(secrets, k_client, cookie, k_now + 1801, address) == V::refresh);
  CHECK(cookies::check(secrets, k_client, cookie, k_now + 3600, address) == V::refresh);
  CHECK(cookies::check(secrets, k_client, cookie, k_now + 3601, address) == V::invalid);
  CHECK(cookies::check(secrets, k_client, cookie, k_now - 300, address) == V::fresh);
  CHECK(cookies::check(secrets, k_client, cookie, k_now - 301, address) == V::invalid);
  CHECK(cookies::check(secrets, k_client, cookie, k_now, ipv4(198, 51, 100, 101)) == V::invalid);
  auto other_client = k_client;
  other_client[7] ^= 1;
  CHECK(cookies::check(secrets, other_client, cookie, k_now, address) == V::invalid);
  auto tampered = cookie;
  tampered[15] ^= 1;
  CHECK(cookies::check(secrets, k_client, tampered, k_now, address) == V::invalid);
  auto version2 = cookie;
  version2[0] = 2;
  CHECK(cookies::check(secrets, k_client, version2, k_now, address) == V::invalid);
  CHECK(cookies::check(secrets, k_client, std::span(cookie).first(8), k_now, address) ==
        V::invalid);
}

TEST_CASE("server cookie: a stamp half the clock away is invalid, with no overflow (fuzz.engine)") {
  const cookies::Secrets secrets{k_secret, std::nullopt};
  const auto address = ipv4(198, 51, 100, 100);
  const auto cookie = cookies::mint(k_secret, k_client, k_now, address);
  using V = cookies::Verdict;
  // now - stamp is 2^31 either way: as a signed age it is INT32_MIN, whose negation overflowed.
  CHECK(cookies::check(secrets, k_client, cookie, k_now + 0x80000000u, address) == V::invalid);
  CHECK(cookies::check(secrets, k_client, cookie, k_now + 0x7fffffffu, address) == V::invalid);
  CHECK(cookies::check(secrets, k_client, cookie, k_now + 0x80000001u, address) == V::invalid);
  // Across the wrap of the 32-bit clock (2106) the age is still counted.
  const auto late = cookies::mint(k_secret, k_client, 0xfffffff0u, address);
  CHECK(cookies::check(secrets, k_client, late, 0x10u, address) == V::fresh);
  CHECK(cookies::check(secrets, k_client, late, 0x10u + 1800, address) == V::refresh);
}

TEST_CASE("server cookie: after a rollover the previous secret's cookies still pass, for renewal") {
  const cookies::Secret next = secret_from_hex("445536bcd2513298075a5d379663c962");
  const auto address = ipv4(203, 0, 113, 203);
  const auto old_cookie = cookies::mint(k_secret, k_client, k_now, address);
  CHECK(cookies::check({next, k_secret}, k_client, old_cookie, k_now, address) ==
        cookies::Verdict::refresh);
  CHECK(cookies::check({next, std::nullopt}, k_client, old_cookie, k_now, address) ==
        cookies::Verdict::invalid);
}

// ---- the engine

namespace {

struct CookieReply {
  std::uint16_t rcode = 0;
  bool has_cookie = false;
  std::vector<std::uint8_t> client, server;
  bool valid = false;
  std::size_t answers = 0;
};

// A query for `qname` with EDNS and one COOKIE option of these bytes.
std::vector<std::uint8_t> cookie_query(const std::string& qname,
                                       const std::vector<std::uint8_t>& cookie) {
  auto packet = fixture::query(qname, rrtype::a, {.edns = true});
  packet[packet.size() - 2] = 0;
  packet[packet.size() - 1] = static_cast<std::uint8_t>(4 + cookie.size());
  packet.insert(packet.end(), {0, 10, 0, static_cast<std::uint8_t>(cookie.size())});
  packet.insert(packet.end(), cookie.begin(), cookie.end());
  return packet;
}

struct Engine {
  Engine() : served(fixture::serve("example.", fixture::example_zone())) {
    served->server.cookie_secrets.current = k_secret;
  }
  CookieReply ask(const std::vector<std::uint8_t>& packet, Transport transport = Transport::udp,
                  bool general = false) {
    Client client{transport, {}, k_now};
    client.info.address = {198, 51, 100, 100};
    const ServingState state = general ? served->general_state() : served->state();
    const Reply reply = answer(state, *scratch, packet, client);
    REQUIRE(reply.kind == Reply::Kind::send);
    const auto decoded = fixture::decode(reply.bytes);
    CookieReply out;
    out.rcode = decoded.rcode;
    out.valid = reply.valid_server_cookie;
    out.answers = decoded.answer.size();
    // The OPT is the last record; a COOKIE we write is its last option (28 bytes).
    const auto bytes = reply.bytes;
    if (bytes.size() > 28 + 11 && bytes[bytes.size() - 28] == 0 && bytes[bytes.size() - 27] == 10 &&
        bytes[bytes.size() - 25] == 24) {
      out.has_cookie = true;
      out.client.assign(bytes.end() - 24, bytes.end() - 16);
      out.server.assign(bytes.end() - 16, bytes.end());
    }
    return out;
  }
  std::unique_ptr<fixture::Served> served;
  std::unique_ptr<Scratch> scratch = std::make_unique<Scratch>();
};

std::vector<std::uint8_t> joined(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  std::vector<std::uint8_t> out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

TEST_CASE("engine cookies: a client cookie alone is answered normally with a fresh server cookie") {
  Engine engine;
  for (const bool general : {false, true}) {
    CAPTURE(general);
    const auto r = engine.ask(cookie_query("www.example.", from_hex("2464c4abcf10c957")),
                              Transport::udp, general);
    CHECK(r.rcode == wire::rcode::noerror);
    CHECK(r.answers == 1);
    REQUIRE(r.has_cookie);
    CHECK(r.client == from_hex("2464c4abcf10c957"));
    CHECK(r.server == from_hex("010000005cf79f111f8130c3eee29480"));  // RFC 9018 A.1
    CHECK_FALSE(r.valid);
  }
}

TEST_CASE("engine cookies: our server cookie sent back is valid, echoed while fresh") {
  Engine engine;
  const auto cookie = from_hex("2464c4abcf10c957010000005cf79f111f8130c3eee29480");
  for (const bool general : {false, true}) {
    CAPTURE(general);
    const auto r = engine.ask(cookie_query("www.example.", cookie), Transport::udp, general);
    CHECK(r.rcode == wire::rcode::noerror);
    CHECK(r.answers == 1);
    CHECK(r.valid);
    REQUIRE(r.has_cookie);
    CHECK(joined(r.client, r.server) == cookie);
  }
}

TEST_CASE("engine cookies: a cookie older than half an hour is valid but renewed") {
  Engine engine;
  const cookies::Address address = ipv4(198, 51, 100, 100);
  const auto old = cookies::mint(k_secret, k_client, k_now - 2000, address);
  const auto r = engine.ask(cookie_query("www.example.", joined(k_client, old)));
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.valid);
  REQUIRE(r.has_cookie);
  const auto fresh = cookies::mint(k_secret, k_client, k_now, address);
  CHECK(r.server == std::vector<std::uint8_t>(fresh.begin(), fresh.end()));
}

TEST_CASE("engine cookies: a server cookie not ours is BADCOOKIE over UDP, answered over TCP") {
  Engine engine;
  const auto forged = from_hex("2464c4abcf10c957010000005cf79f11ffffffffffffffff");
  for (const bool general : {false, true}) {
    CAPTURE(general);
    auto r = engine.ask(cookie_query("www.example.", forged), Transport::udp, general);
    CHECK(r.rcode == wire::rcode::badcookie);
    CHECK(r.answers == 0);
    CHECK_FALSE(r.valid);
    REQUIRE(r.has_cookie);  // with a fresh one to retry with (RFC 7873 §5.2.4)
    CHECK(r.server == from_hex("010000005cf79f111f8130c3eee29480"));
    r = engine.ask(cookie_query("www.example.", forged), Transport::tcp, general);
    CHECK(r.rcode == wire::rcode::noerror);
    CHECK(r.answers == 1);
    CHECK(r.has_cookie);
  }
}

TEST_CASE("engine cookies: a COOKIE of a length RFC 7873 does not allow is FORMERR") {
  Engine engine;
  for (const std::size_t length : {0, 1, 7, 9, 15, 41}) {
    CAPTURE(length);
    const auto r = engine.ask(cookie_query("www.example.", std::vector<std::uint8_t>(length, 7)));
    CHECK(r.rcode == wire::rcode::formerr);
    CHECK_FALSE(r.has_cookie);
  }
  for (const std::size_t length : {8, 16, 40})
    CHECK(engine.ask(cookie_query("www.example.", std::vector<std::uint8_t>(length, 7))).rcode !=
          wire::rcode::formerr);
}

TEST_CASE("engine cookies: turned off, the option is ignored") {
  Engine engine;
  engine.served->server.cookies_enabled = false;
  const auto forged = from_hex("2464c4abcf10c957010000005cf79f11ffffffffffffffff");
  const auto r = engine.ask(cookie_query("www.example.", forged));
  CHECK(r.rcode == wire::rcode::noerror);
  CHECK(r.answers == 1);
  CHECK_FALSE(r.has_cookie);
}
