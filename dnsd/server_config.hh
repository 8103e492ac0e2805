// What the UDP/TCP servers and the answer engine are told by the config (control/ fills it in
// from conf's [server] section, which dnsd/ does not see).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnsd/cookies.hh"
#include "routing/model.hh"

namespace dnsd {

struct ListenAddress {
  std::string address;  // "127.0.0.1", "::1"
  std::uint16_t port = 53;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// Response rate limiting of UDP responses (rrl.hh; README "Rate limiting"). Off by default, as
// in BIND and Knot: the right rate depends on the zones and their clients.
struct RrlConfig {
  bool enabled = false;
  unsigned rate = 20;               // responses per second per bucket (prefix, class, name)
  std::chrono::seconds window{15};  // a source that keeps exceeding stays limited this long (BIND)
  unsigned slip = 2;                // every slip-th limited response goes out TC=1; 0: drop all
  std::uint8_t ipv4_prefix = 24, ipv6_prefix = 56;  // clients grouped by these prefixes
  std::vector<routing::AddressRange> exempt;        // never limited
  std::size_t table_size = 262'144;                 // buckets, allocated once at start
};

struct ServerConfig {
  std::vector<ListenAddress> listen{{"127.0.0.1", 5353}};  // each is served over UDP and TCP
  unsigned workers = 1;                                    // UDP worker threads
  std::uint16_t udp_payload = 1232;  // largest EDNS UDP response we send (DNS flag day 2020)
  std::chrono::milliseconds tcp_idle_timeout{10'000};  // no message begun: close
  // A message begun must be whole, and an answer taken by the kernel, within this (Knot's
  // tcp-io-timeout, same default); past it the connection closes (reset, if we were writing).
  std::chrono::milliseconds tcp_io_timeout{500};
  unsigned tcp_max_connections = 256;
  unsigned tcp_max_connections_per_client = 32;  // per IPv4 address, per IPv6 /64
  // CHAOS TXT answers (RFC 4892); unset means REFUSED.
  std::optional<std::string> chaos_version;   // version.bind / version.server
  std::optional<std::string> chaos_identity;  // id.server / hostname.bind
  // Started as root: switch to this user once every socket is bound and every file read.
  // Unset: keep running as whoever started dnsd (systemd User= with CAP_NET_BIND_SERVICE).
  std::optional<std::string> user;
  // Zone transfers (AXFR/IXFR over TCP) running at once; more are REFUSED at once.
  unsigned max_transfers = 10;
  // DNS Cookies (RFC 7873, RFC 9018 server cookies); off: the COOKIE option is ignored.
  bool cookies_enabled = true;
  cookies::Secrets cookie_secrets;
  RrlConfig rrl;
};

}  // namespace dnsd
