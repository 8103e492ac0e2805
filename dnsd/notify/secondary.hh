// The secondaries a primary tells about its zones, and the connected UDP socket it talks to
// each through. Configured by value; nothing here knows the config file or the daemon.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dnsd/tsig/key.hh"

namespace dnsd::notify {

struct Secondary {
  std::string address;  // an IPv4 or IPv6 literal, no brackets: "192.0.2.1", "::1"
  std::uint16_t port = 53;
  std::optional<tsig::Key> key;  // NOTIFY and SOA checks signed with it when set
};

// "192.0.2.1:53" or "[::1]:53": how logs and state name a secondary.
std::string endpoint_text(const Secondary& secondary);

// A non-blocking UDP socket connected to the secondary, so only its datagrams reach us and an
// ICMP port unreachable comes back as ECONNREFUSED (RFC 1996 §3.6 names it). -1 on failure,
// with the reason in *error.
int open_socket(const Secondary& secondary, std::string* error);

}  // namespace dnsd::notify
