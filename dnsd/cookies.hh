// DNS Cookies (RFC 7873) with interoperable server cookies (RFC 9018): minting a server cookie
// from the client cookie, the client's address and a 16-byte secret, and checking one a client
// sends back. Pure and allocation-free (the engine calls it per query); no policy on which rcode
// a query earns, that is general_answer.cc's.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace dnsd::cookies {

using Secret = std::array<std::uint8_t, 16>;  // the SipHash-2-4 key (RFC 9018 §4.4)

// The secrets a server cookie may be checked with. During a rollover (RFC 9018 §4.3) cookies
// minted with the previous secret are still accepted, and answered with one of the current.
struct Secrets {
  Secret current{};
  std::optional<Secret> previous;
};

inline constexpr std::size_t client_size = 8;   // RFC 7873 §4: the client cookie is 8 bytes
inline constexpr std::size_t server_size = 16;  // RFC 9018 §4: version 1 is 16 bytes
inline constexpr std::size_t min_server_size = 8, max_server_size = 32;  // RFC 7873 §4
using ServerCookie = std::array<std::uint8_t, server_size>;

// RFC 9018 §4.3: a server cookie is refreshed once it is half an hour old, and accepted from an
// hour in the past to five minutes in the future.
inline constexpr std::uint32_t refresh_after_s = 1800, max_age_s = 3600, max_ahead_s = 300;

// SipHash-2-4 (Aumasson and Bernstein) of `data` under `key`; the 64-bit result is read
// little-endian from its 8 output bytes, as the reference implementation writes them.
std::uint64_t siphash24(const Secret& key, std::span<const std::uint8_t> data) noexcept;

// The client's address as hashed: 4 bytes for IPv4, 16 for IPv6 (RFC 9018 §4.4).
struct Address {
  std::array<std::uint8_t, 16> bytes{};
  bool is_ipv6 = false;
  std::span<const std::uint8_t> wire() const noexcept {
    return std::span(bytes).first(is_ipv6 ? 16 : 4);
  }
};

// RFC 9018 §4.2: version 1, three reserved zero bytes, the timestamp `now` (seconds since the
// epoch, big-endian) and SipHash-2-4 over client cookie | version | reserved | timestamp |
// client address.
ServerCookie mint(const Secret& secret, std::span<const std::uint8_t, client_size> client,
                  std::uint32_t now, const Address& address) noexcept;

enum class Verdict : std::uint8_t {
  fresh,    // ours, with the current secret and younger than refresh_after_s: echo it as is
  refresh,  // ours, but old or under the previous secret: answer with a new one
  invalid,  // not ours, out of the time window, or not version 1
};

// Checks a server cookie the client sent back (8 to 32 bytes) at time `now`.
Verdict check(const Secrets& secrets, std::span<const std::uint8_t, client_size> client,
              std::span<const std::uint8_t> server, std::uint32_t now,
              const Address& address) noexcept;

}  // namespace dnsd::cookies
