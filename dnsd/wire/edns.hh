// EDNS (RFC 6891) and its Client Subnet option (RFC 7871) on the wire: reading a query's OPT
// record and writing the response's. Both answer paths use these; no policy lives here (which
// rcode a bad option earns is the general path's business).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dnsd/wire/reader.hh"

namespace dnsd::wire {

inline constexpr std::uint16_t option_ecs = 8;  // RFC 7871 §6
inline constexpr std::size_t opt_rr_size = 11;  // root owner, type, class, ttl, rdlength
inline constexpr std::size_t max_opt_size = opt_rr_size + 8 + 16;  // with an IPv6 ECS echo

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

struct Edns {
  bool present = false;
  bool malformed = false;  // a second OPT, one not owned by the root, or options overrunning it
  std::uint16_t udp_payload = 512;
  std::uint8_t version = 0;
  bool dnssec_ok = false;
  Ecs ecs;
};

// Reads an OPT record's class, TTL and options (RFC 6891 §6.1.2), the reader standing just
// after its TYPE; only Client Subnet is kept, other options are skipped.
void read_opt(Reader& reader, bool owner_is_root, Edns& edns) noexcept;

// The size of the OPT record write_opt writes in answer to `query` (which must be present).
inline std::size_t opt_size(const Edns& query) noexcept {
  return opt_rr_size + query.ecs.option_size();
}

// Writes the response's OPT record at `out` (opt_size(query) bytes): our UDP payload size, the
// upper bits of `rcode`, DO copied (RFC 3225), and a usable ECS option echoed with `ecs_scope`
// (RFC 7871 §7.2.1). Returns the size written.
std::size_t write_opt(std::uint8_t* out, std::uint16_t udp_payload, const Edns& query,
                      std::uint16_t rcode, std::uint8_t ecs_scope) noexcept;

}  // namespace dnsd::wire
