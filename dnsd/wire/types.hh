// DNS protocol constants: record types, classes, opcodes, rcodes (RFC 1035, 6895).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dnsd::wire {

namespace rrtype {
inline constexpr std::uint16_t a = 1, ns = 2, cname = 5, soa = 6, ptr = 12, hinfo = 13, mx = 15,
                               txt = 16, aaaa = 28, srv = 33, naptr = 35, opt = 41, ds = 43,
                               rrsig = 46, nsec = 47, dnskey = 48, nsec3 = 50, svcb = 64,
                               https = 65, ixfr = 251, axfr = 252, mailb = 253, maila = 254,
                               any = 255, caa = 257;
}

namespace rrclass {
inline constexpr std::uint16_t in = 1, ch = 3, none = 254, any = 255;
}

namespace opcode {
inline constexpr std::uint8_t query = 0, iquery = 1, status = 2, notify = 4, update = 5;
}

namespace rcode {
inline constexpr std::uint16_t noerror = 0, formerr = 1, servfail = 2, nxdomain = 3, notimp = 4,
                               refused = 5, yxdomain = 6, yxrrset = 7, nxrrset = 8, notauth = 9,
                               notzone = 10,  // RFC 2136 §2.2, RFC 8945 §5.2
    badvers = 16,
                               badcookie = 23;  // RFC 7873 §8
}

// "A", "AAAA", "TYPE65280" ... (RFC 3597 §5 generic form for unknown types).
std::string type_to_text(std::uint16_t type);
std::optional<std::uint16_t> type_from_text(std::string_view text);

// Meta and question-only types that may never be stored in a zone (RFC 6895 §3.1).
constexpr bool is_meta_type(std::uint16_t type) noexcept {
  return type == rrtype::opt || (type >= 128 && type <= 255) || type == 0;
}

}  // namespace dnsd::wire
