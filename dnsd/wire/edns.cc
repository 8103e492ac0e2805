// EDNS and Client Subnet: reading a query's OPT record, writing the response's.
#include "dnsd/wire/edns.hh"

#include <cstring>

#include "dnsd/wire/types.hh"

namespace dnsd::wire {
namespace {

// RFC 7871 §6 and §7.1: a known family, a prefix that fits it, exactly ceil(prefix/8) address
// bytes with the bits past the prefix zero, and SCOPE 0 in a query; anything else is malformed.
void read_ecs(Reader& reader, std::uint16_t length, Ecs& ecs) noexcept {
  if (ecs.present) ecs.malformed = true;  // one ECS option per query
  ecs.present = true;
  if (length < 4) {
    ecs.malformed = true;
    reader.skip(length);
    return;
  }
  ecs.family = reader.u16();
  ecs.source_prefix = reader.u8();
  const std::uint8_t scope = reader.u8();
  const std::size_t bytes = length - 4u;
  const unsigned max_prefix = ecs.family == 1 ? 32 : ecs.family == 2 ? 128 : 0;
  if (max_prefix == 0 || ecs.source_prefix > max_prefix || scope != 0 ||
      bytes != (ecs.source_prefix + 7u) / 8u) {
    ecs.malformed = true;
    reader.skip(bytes);
    return;
  }
  ecs.address_length = static_cast<std::uint8_t>(bytes);
  for (std::size_t i = 0; i < bytes; ++i) ecs.address[i] = reader.u8();
  const unsigned spare = static_cast<unsigned>(bytes * 8) - ecs.source_prefix;
  if (bytes > 0 && (ecs.address[bytes - 1] & ((1u << spare) - 1)) != 0) ecs.malformed = true;
}

// RFC 7873 §4: 8 bytes of client cookie, or 16 to 40 with a server cookie; one COOKIE per OPT.
void read_cookie(Reader& reader, std::uint16_t length, Cookie& cookie) noexcept {
  if (cookie.present) cookie.malformed = true;
  cookie.present = true;
  if (length != 8 && (length < 16 || length > 40)) {
    cookie.malformed = true;
    reader.skip(length);
    return;
  }
  for (auto& byte : cookie.client) byte = reader.u8();
  cookie.server_length = static_cast<std::uint8_t>(length - 8);
  for (std::size_t i = 0; i < cookie.server_length; ++i) cookie.server[i] = reader.u8();
}

std::uint8_t* put_u16(std::uint8_t* out, std::uint16_t value) noexcept {
  out[0] = static_cast<std::uint8_t>(value >> 8);
  out[1] = static_cast<std::uint8_t>(value);
  return out + 2;
}

}  // namespace

void read_opt(Reader& reader, bool owner_is_root, Edns& edns) noexcept {
  if (edns.present || !owner_is_root) edns.malformed = true;
  edns.present = true;
  edns.udp_payload = reader.u16();
  const std::uint32_t ttl = reader.u32();
  edns.version = static_cast<std::uint8_t>(ttl >> 16);
  edns.dnssec_ok = (ttl & 0x8000) != 0;
  edns.compact_ok = (ttl & 0x4000) != 0;
  std::size_t rdlength = reader.u16();
  while (rdlength >= 4 && reader.ok()) {
    const std::uint16_t code = reader.u16();
    const std::uint16_t length = reader.u16();
    rdlength -= 4;
    if (length > rdlength) break;
    if (code == option_ecs)
      read_ecs(reader, length, edns.ecs);
    else if (code == option_cookie)
      read_cookie(reader, length, edns.cookie);
    else
      reader.skip(length);
    rdlength -= length;
  }
  if (rdlength != 0) edns.malformed = true;  // an option that overruns the record
  reader.skip(rdlength);
}

std::size_t write_opt(std::uint8_t* out, std::uint16_t udp_payload, const Edns& query,
                      std::uint16_t rcode, std::uint8_t ecs_scope,
                      std::span<const std::uint8_t> server_cookie) noexcept {
  std::uint8_t* at = out;
  *at++ = 0;  // the root owns it
  at = put_u16(at, rrtype::opt);
  at = put_u16(at, udp_payload);
  *at++ = static_cast<std::uint8_t>(rcode >> 4);  // extended rcode; version 0
  *at++ = 0;
  at = put_u16(at, query.dnssec_ok ? 0x8000 : 0);  // RFC 3225: DO is copied
  const Ecs& ecs = query.ecs;
  std::uint8_t* const rdlength = at;
  at += 2;
  if (ecs.usable()) {
    // RFC 7871 §7.2.1: FAMILY, SOURCE PREFIX-LENGTH and ADDRESS echoed; SCOPE says how much
    // of the address the answer depended on.
    at = put_u16(at, option_ecs);
    at = put_u16(at, static_cast<std::uint16_t>(4 + ecs.address_length));
    at = put_u16(at, ecs.family);
    *at++ = ecs.source_prefix;
    *at++ = ecs_scope;
    std::memcpy(at, ecs.address.data(), ecs.address_length);
    at += ecs.address_length;
  }
  if (query.cookie.usable() && !server_cookie.empty()) {
    at = put_u16(at, option_cookie);
    at = put_u16(at, static_cast<std::uint16_t>(8 + server_cookie.size()));
    std::memcpy(at, query.cookie.client.data(), 8);
    std::memcpy(at + 8, server_cookie.data(), server_cookie.size());
    at += 8 + server_cookie.size();
  }
  put_u16(rdlength, static_cast<std::uint16_t>(at - rdlength - 2));
  return static_cast<std::size_t>(at - out);
}

}  // namespace dnsd::wire
