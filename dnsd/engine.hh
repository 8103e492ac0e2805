// Answer engine: bytes in, bytes out. No I/O, no allocation, no locks, no exceptions, so it can
// be unit-tested and fuzzed directly; the UDP and TCP servers only move bytes to and from it.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dnsd/server_config.hh"
#include "dnsd/prepared.hh"
#include "dnsd/serving_slot.hh"
#include "dnsd/transport.hh"
#include "dnsd/zone/zone.hh"
#include "routing/flat_addresses.hh"
#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick.hh"

namespace dnsd {

// Everything a query reads. Immutable while published, except the health words and flattened
// addresses, which are atomics written by probe/.
struct ServingState {
  const ServerConfig* server = nullptr;
  const zone::ZoneSet* zones = nullptr;
  const routing::Model* model = nullptr;
  const routing::HealthTable* health = nullptr;
  const routing::FlatAddresses* flat = nullptr;
  const PreparedAnswers* prepared = nullptr;  // null: every query takes the general path
};

// Where query threads find the current ServingState (replaced whole on reload).
using Serving = ServingSlot<ServingState>;

struct Client {
  Transport transport = Transport::udp;
  routing::ClientInfo info;  // source address (and later EDNS Client Subnet)
};

// Per-worker memory, allocated once at start (gdnsd dnsp_ctx): the response is built here.
struct Scratch {
  std::array<std::uint8_t, 65535> response;
};

struct Reply {
  enum class Kind : std::uint8_t { send, drop };
  Kind kind = Kind::drop;
  std::uint16_t rcode = 0;  // the full 12-bit rcode, for counters
  std::span<const std::uint8_t> bytes;  // into Scratch::response when kind == send
};

Reply answer(const ServingState& state, Scratch& scratch, std::span<const std::uint8_t> query,
             const Client& client) noexcept;

}  // namespace dnsd
