// Who gets a TCP slot (issue 12): the connection cap, the per-client limit and the share of the
// cap kept for clients with few connections. Pure rules over counts; tcp_server.cc applies them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "routing/pick_types.hh"

namespace dnsd::tcp_admission {

// Connections are counted per IPv4 address (/32) and per IPv6 /64: one host is usually given a
// whole /64, so a /128 limit would cost an attacker nothing.
struct ClientKey {
  std::array<std::uint8_t, 8> bytes{};
  bool is_ipv6 = false;
  friend bool operator==(const ClientKey&, const ClientKey&) = default;
};

inline ClientKey client_key(const routing::ClientInfo& client) noexcept {
  ClientKey key;
  key.is_ipv6 = client.is_ipv6;
  std::memcpy(key.bytes.data(), client.address.data(), client.is_ipv6 ? 8 : 4);
  return key;
}

// A client holding this many connections is no longer one with "few".
inline constexpr unsigned few_connections = 4;

struct Limits {
  unsigned max_connections = 256;
  unsigned per_client = 32;
  // The last `reserved` slots of the cap go only to clients with fewer than few_connections.
  unsigned reserved = 64;
};

// The share kept for clients with few connections is a quarter of the cap.
constexpr Limits limits(unsigned max_connections, unsigned per_client) noexcept {
  return {max_connections, per_client < max_connections ? per_client : max_connections,
          max_connections / 4};
}

// Whose connection, if anyone's, must close before a newcomer from a client that already holds
// `own` of the `total` open connections may have a slot.
enum class Scope : std::uint8_t {
  none,  // a free slot: admit
  own,   // the client is at its limit, or would eat into the reserve: one of its own goes
  any,   // the cap is reached by a client with few connections: the oldest anyone's goes
};

constexpr Scope eviction_scope(const Limits& limits, unsigned total, unsigned own) noexcept {
  if (own >= limits.per_client) return Scope::own;
  if (own >= few_connections && total + limits.reserved >= limits.max_connections)
    return Scope::own;
  if (total >= limits.max_connections) return Scope::any;
  return Scope::none;
}

// What an open connection is doing, as far as eviction cares. Only `idle` and `partial` ones
// may be closed for a newcomer: the others have a request to answer (RFC 7766 §6.2.3 lets a
// server close idle connections; a half-sent message is closed by the I/O timeout anyway).
enum class Standing : std::uint8_t {
  idle,       // nothing received since the last answer
  partial,    // part of a message, and no more waiting in the kernel
  answering,  // a whole request received or waiting in the kernel, or its answer being written
};

struct Candidate {
  Standing standing = Standing::idle;
  // When the connection last did something useful: accepted, or an answer written.
  std::chrono::steady_clock::time_point since;
};

// True if `a` should close before `b`: evictable before not, then the longest without use.
constexpr bool closes_before(const Candidate& a, const Candidate& b) noexcept {
  const bool a_evictable = a.standing != Standing::answering;
  const bool b_evictable = b.standing != Standing::answering;
  if (a_evictable != b_evictable) return a_evictable;
  return a.since < b.since;
}

}  // namespace dnsd::tcp_admission
