// IP literals and "address:port" pairs, as listen addresses and resolver servers are written.
// Only literals: the server binds them and c-ares queries them as given, nothing is resolved.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace conf {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // v4 uses the first 4
  std::string text;                      // canonical form (inet_ntop)
};

std::optional<IpAddress> parse_ip(std::string_view text);
// Why a UDP socket cannot bind this address (port 0), e.g. "Cannot assign requested address";
// empty when it can: the address belongs to this host.
std::string bind_error(const IpAddress& ip);

struct HostPort {
  IpAddress ip;
  std::uint16_t port = 0;
  // "127.0.0.1:5353" or "[::1]:5353".
  std::string to_string() const;
};

// "127.0.0.1:5353" or "[::1]:5353"; the port 1..65535 is required. On failure *error says why
// and shows the expected form.
std::optional<HostPort> parse_host_port(std::string_view text, std::string* error);

// A host name as probes and CNAME targets need it: letters, digits, '-' and '_' in labels.
bool is_host_name(std::string_view text);

}  // namespace conf
