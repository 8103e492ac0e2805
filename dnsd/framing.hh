// Framing shared by the fast path (prepared_answer.cc) and the general path (general_answer.cc):
// the response header's flags and counts, how large a response may be, and which addresses a
// query type asks a profile for. Both paths frame through here, so they cannot drift apart.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>

#include "dnsd/cookies.hh"
#include "dnsd/serving.hh"
#include "dnsd/wire/edns.hh"
#include "dnsd/wire/types.hh"
#include "routing/pick.hh"

namespace dnsd::framing {

inline constexpr std::uint16_t flag_qr = 0x8000, flag_aa = 0x0400, flag_tc = 0x0200,
                               flag_rd = 0x0100, flag_cd = 0x0010, opcode_bits = 0x7800;

// What a response's header says besides the query's ID (RFC 1035 §4.1.1).
struct Head {
  std::uint16_t rcode = 0;  // the low 4 bits go here, the rest in OPT (RFC 6891 §6.1.3)
  bool aa = false;
  bool tc = false;
  std::uint16_t question = 0, answer = 0, authority = 0, additional = 0;  // additional incl. OPT
};

// QR set, the opcode, RD and CD copied from the query; AA, TC and the rcode as answered.
constexpr std::uint16_t response_flags(std::uint16_t query_flags, const Head& head) noexcept {
  return static_cast<std::uint16_t>(flag_qr | (query_flags & (opcode_bits | flag_rd | flag_cd)) |
                                    (head.rcode & 0xf) | (head.aa ? flag_aa : 0) |
                                    (head.tc ? flag_tc : 0));
}

// Writes bytes 2-11 of the header at `packet` (the ID is the query's, copied before).
inline void write_head(std::uint8_t* packet, std::uint16_t query_flags, const Head& head) noexcept {
  const auto put = [packet](std::size_t at, std::uint16_t value) {
    const std::uint16_t big_endian = __builtin_bswap16(value);  // one store per field
    std::memcpy(packet + at, &big_endian, 2);
  };
  put(2, response_flags(query_flags, head));
  put(4, head.question);
  put(6, head.answer);
  put(8, head.authority);
  put(10, head.additional);
}

// The most bytes the response may have: 65535 over TCP, 512 over UDP without EDNS (RFC 1035
// §4.2.1), else the client's payload size, raised to 512 (RFC 6891 §6.2.5) and capped at ours.
inline std::size_t response_limit(const ServingState& state, const Client& client,
                                  const wire::Edns& edns) noexcept {
  if (client.transport == Transport::tcp) return 65535;
  if (!edns.present) return 512;
  return std::clamp<std::size_t>(edns.udp_payload, 512,
                                 std::max<std::size_t>(512, state.server->udp_payload));
}

// What a query's COOKIE option earns (RFC 7873 §5.2, RFC 9018 §4.3), decided once for both paths.
struct CookieAnswer {
  enum class Kind : std::uint8_t {
    none,       // no usable cookie, or cookies off: no COOKIE in the response
    answer,     // answer normally, with `server` in the response's COOKIE
    badcookie,  // UDP with a server cookie that is not ours: BADCOOKIE with a fresh one
  };
  Kind kind = Kind::none;
  bool valid = false;  // the query's server cookie is ours (Reply::valid_server_cookie)
  cookies::ServerCookie server{};
  std::span<const std::uint8_t> server_span() const noexcept {
    return kind == Kind::none ? std::span<const std::uint8_t>{} : std::span(server);
  }
};

inline cookies::Address cookie_address(const Client& client) noexcept {
  return {client.info.address, client.info.is_ipv6};
}

// Client cookie only: a fresh server cookie. A valid one: echoed while younger than half an
// hour, else renewed. An invalid one: BADCOOKIE over UDP, as Knot's mod-cookies answers
// (§5.2.4 allows it); over TCP the address is proven by the handshake, so a fresh cookie and
// the answer. `client` is the query's source, never its Client Subnet.
inline CookieAnswer cookie_answer(const ServerConfig& server, const Client& client,
                                  const wire::Edns& edns) noexcept {
  CookieAnswer out;
  if (!server.cookies_enabled || !edns.cookie.usable()) return out;
  const std::uint32_t now =
      client.now ? client.now : static_cast<std::uint32_t>(std::time(nullptr));
  const cookies::Address address = cookie_address(client);
  const std::span<const std::uint8_t, cookies::client_size> client_cookie(edns.cookie.client);
  out.kind = CookieAnswer::Kind::answer;
  if (edns.cookie.server_length != 0) {
    const cookies::Verdict verdict = cookies::check(server.cookie_secrets, client_cookie,
                                                    edns.cookie.server_cookie(), now, address);
    out.valid = verdict != cookies::Verdict::invalid;
    if (verdict == cookies::Verdict::fresh) {
      std::memcpy(out.server.data(), edns.cookie.server.data(), cookies::server_size);
      return out;
    }
    if (verdict == cookies::Verdict::invalid && client.transport == Transport::udp)
      out.kind = CookieAnswer::Kind::badcookie;
  }
  out.server = cookies::mint(server.cookie_secrets.current, client_cookie, now, address);
  return out;
}

// Which of a profile's addresses a query type asks for: A the IPv4 ones, AAAA the IPv6 ones,
// any other type whatever the pick is (an FQDN endpoint's CNAME answers every type).
constexpr routing::Want want_for(std::uint16_t qtype) noexcept {
  return qtype == wire::rrtype::a      ? routing::Want::ipv4
         : qtype == wire::rrtype::aaaa ? routing::Want::ipv6
                                       : routing::Want::any;
}

}  // namespace dnsd::framing
