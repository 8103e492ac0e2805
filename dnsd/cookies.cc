// DNS Cookies: SipHash-2-4 and the RFC 9018 server cookie. Written out here rather than through
// OpenSSL's EVP_MAC "SIPHASH": that needs a context per worker (so an OpenSSL object in the
// engine's Scratch) for 40 lines of arithmetic; test_cookies.cc checks the two agree.
#include "dnsd/cookies.hh"

#include <bit>
#include <cstring>

namespace dnsd::cookies {
namespace {

std::uint64_t load_le64(const std::uint8_t* at) noexcept {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = value << 8 | at[i];
  return value;
}

struct State {
  std::uint64_t v0, v1, v2, v3;

  void round() noexcept {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void compress(std::uint64_t word) noexcept {  // c = 2 rounds per word
    v3 ^= word;
    round();
    round();
    v0 ^= word;
  }
};

bool equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  std::uint8_t diff = 0;  // constant time: no early exit on the first differing byte
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::uint64_t siphash24(const Secret& key, std::span<const std::uint8_t> data) noexcept {
  const std::uint64_t k0 = load_le64(key.data()), k1 = load_le64(key.data() + 8);
  State s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
          k1 ^ 0x7465646279746573ULL};
  const std::size_t whole = data.size() / 8 * 8;
  for (std::size_t at = 0; at < whole; at += 8) s.compress(load_le64(data.data() + at));
  std::uint64_t last = static_cast<std::uint64_t>(data.size() & 0xff) << 56;
  for (std::size_t i = whole; i < data.size(); ++i)
    last |= static_cast<std::uint64_t>(data[i]) << (8 * (i - whole));
  s.compress(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();  // d = 4 finalization rounds
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

namespace {

// SipHash-2-4 over client cookie | the cookie's first 8 bytes (version, reserved, timestamp) |
// address, written as the cookie's last 8 bytes.
void put_hash(const Secret& secret, std::span<const std::uint8_t, client_size> client,
              ServerCookie& cookie, const Address& address) noexcept {
  std::array<std::uint8_t, client_size + 8 + 16> input{};
  std::memcpy(input.data(), client.data(), client_size);
  std::memcpy(input.data() + client_size, cookie.data(), 8);
  const auto ip = address.wire();
  std::memcpy(input.data() + client_size + 8, ip.data(), ip.size());
  const std::uint64_t hash = siphash24(secret, std::span(input).first(client_size + 8 + ip.size()));
  for (int i = 0; i < 8; ++i) cookie[8 + i] = static_cast<std::uint8_t>(hash >> (8 * i));
}

// Whether `server` is the cookie `secret` gives for its own first 8 bytes.
bool matches(const Secret& secret, std::span<const std::uint8_t, client_size> client,
             std::span<const std::uint8_t> server, const Address& address) noexcept {
  ServerCookie expected{};
  std::memcpy(expected.data(), server.data(), 8);  // the reserved bytes as sent: they are hashed
  put_hash(secret, client, expected, address);
  return equal(expected, server);
}

}  // namespace

ServerCookie mint(const Secret& secret, std::span<const std::uint8_t, client_size> client,
                  std::uint32_t now, const Address& address) noexcept {
  ServerCookie cookie{1,
                      0,
                      0,
                      0,
                      static_cast<std::uint8_t>(now >> 24),
                      static_cast<std::uint8_t>(now >> 16),
                      static_cast<std::uint8_t>(now >> 8),
                      static_cast<std::uint8_t>(now)};
  put_hash(secret, client, cookie, address);
  return cookie;
}

Verdict check(const Secrets& secrets, std::span<const std::uint8_t, client_size> client,
              std::span<const std::uint8_t> server, std::uint32_t now,
              const Address& address) noexcept {
  if (server.size() != server_size || server[0] != 1) return Verdict::invalid;
  const std::uint32_t stamp = static_cast<std::uint32_t>(server[4]) << 24 |
                              static_cast<std::uint32_t>(server[5]) << 16 |
                              static_cast<std::uint32_t>(server[6]) << 8 | server[7];
  // Serial number arithmetic (RFC 1982), as RFC 9018 §4.3 asks: the age may wrap around 2106.
  // Both distances are taken modulo 2^32 (unsigned, so no value overflows): the stamp is either
  // at most max_age_s behind now or at most max_ahead_s ahead of it.
  const std::uint32_t behind = now - stamp, ahead = stamp - now;
  if (behind > max_age_s && ahead > max_ahead_s) return Verdict::invalid;
  const bool old = behind <= max_age_s && behind > refresh_after_s;
  if (matches(secrets.current, client, server, address))
    return old ? Verdict::refresh : Verdict::fresh;
  if (secrets.previous && matches(*secrets.previous, client, server, address))
    return Verdict::refresh;
  return Verdict::invalid;
}

}  // namespace dnsd::cookies
