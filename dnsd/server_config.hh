// What the UDP/TCP servers and the answer engine are told by the config (control/ fills it in
// from conf's [server] section, which dnsd/ does not see).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dnsd {

struct ListenAddress {
  std::string address;  // "127.0.0.1", "::1"
  std::uint16_t port = 53;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
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
};

}  // namespace dnsd
