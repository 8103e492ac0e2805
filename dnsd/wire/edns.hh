// EDNS (RFC 6891), its Client Subnet (RFC 7871) and COOKIE (RFC 7873) options on the wire: reading
// a query's OPT record and writing the response's. Both answer paths use these; no policy lives
// here (which rcode a bad option earns is the general path's business).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dnsd/wire/reader.hh"

namespace dnsd::wire {

inline constexpr std::uint16_t option_ecs = 8;      // RFC 7871 §6
inline constexpr std::uint16_t option_cookie = 10;  // RFC 7873 §4
inline constexpr std::size_t opt_rr_size = 11;      // root owner, type, class, ttl, rdlength
// The response's COOKIE: option header, the client cookie, a 16-byte server cookie (RFC 9018).
inline constexpr std::size_t cookie_answer_size = 4 + 8 + 16;
inline constexpr std::size_t max_opt_size =
    opt_rr_size + 8 + 16 + cookie_answer_size;  // with an IPv6 ECS echo and a cookie

// EDNS Client Subnet option as received (RFC 7871 §6); the address is zero-padded.
struct Ecs {
  bool present = false;
  bool malformed = false;
  std::uint16_t family = 0;  // 1 IPv4, 2 IPv6
  std::uint8_t source_prefix = 0;
  std::array<std::uint8_t, 16> address{};
  std::uint8_t address_length = 0;  // bytes as received: ceil(source_prefix / 8)

  bool usable() const noexcept { return present && !malformed; }
  // The option as a response echoes it: 4 bytes of header, 4 fixed, the address.
  std::size_t option_size() const noexcept { return usable() ? 8u + address_length : 0u; }
};

// COOKIE option as received (RFC 7873 §4): an 8-byte client cookie, then 0 or 8 to 32 bytes
// of server cookie; any other length is malformed (§5.2.2: FORMERR).
struct Cookie {
  bool present = false;
  bool malformed = false;
  std::array<std::uint8_t, 8> client{};
  std::array<std::uint8_t, 32> server{};
  std::uint8_t server_length = 0;

  bool usable() const noexcept { return present && !malformed; }
  std::span<const std::uint8_t> server_cookie() const noexcept {
    return std::span(server).first(server_length);
  }
};

struct Edns {
  bool present = false;
  bool malformed = false;  // a second OPT, one not owned by the root, or options overrunning it
  std::uint16_t udp_payload = 512;
  std::uint8_t version = 0;
  bool dnssec_ok = false;
  bool compact_ok = false;  // CO, the flag after DO (RFC 9824 §4)
  Ecs ecs;
  Cookie cookie;
};

// Reads an OPT record's class, TTL and options (RFC 6891 §6.1.2), the reader standing just
// after its TYPE; Client Subnet and COOKIE are kept, other options are skipped.
void read_opt(Reader& reader, bool owner_is_root, Edns& edns) noexcept;

// The size of the OPT record write_opt writes in answer to `query` (which must be present).
// At most: write_opt leaves the cookie out when it is given no server cookie.
inline std::size_t opt_size(const Edns& query) noexcept {
  return opt_rr_size + query.ecs.option_size() + (query.cookie.usable() ? cookie_answer_size : 0);
}

// Writes the response's OPT record at `out` (at most opt_size(query) bytes): our UDP payload
// size, the upper bits of `rcode`, DO copied (RFC 3225), a usable ECS option echoed with
// `ecs_scope` (RFC 7871 §7.2.1), and, when `server_cookie` is not empty (16 bytes) and the query
// had a usable cookie, COOKIE with the client's cookie and it (RFC 7873 §5.2.3). Returns the
// size written.
std::size_t write_opt(std::uint8_t* out, std::uint16_t udp_payload, const Edns& query,
                      std::uint16_t rcode, std::uint8_t ecs_scope,
                      std::span<const std::uint8_t> server_cookie = {}) noexcept;

}  // namespace dnsd::wire
