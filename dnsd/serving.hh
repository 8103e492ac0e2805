// The types every step of answering shares: what a query reads (ServingState), who asked
// (Client), where the response is built (Scratch) and what comes back (Reply). Types only: no
// answering code, so the fast path, the general path and the servers can all include it.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "dnsd/server_config.hh"
#include "dnsd/serving_slot.hh"
#include "dnsd/transport.hh"
#include "dnsd/zone/zone.hh"
#include "routing/flat_addresses.hh"
#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick.hh"

namespace dnsd {

class LiveSerials;
class PreparedAnswers;
namespace dnssec {
class Signatures;
}
namespace tsig {
class Keyring;
}

// Everything a query reads. Immutable while published, except the health words and flattened
// addresses, which are atomics written by probe/.
struct ServingState {
  const ServerConfig* server = nullptr;
  const zone::ZoneSet* zones = nullptr;
  const routing::Model* model = nullptr;
  const routing::HealthTable* health = nullptr;
  const routing::FlatAddresses* flat = nullptr;
  const PreparedAnswers* prepared = nullptr;  // null: every query takes the general path
  // The serial each zone's SOA shows (zones published to secondaries move it); null: the
  // zones' own.
  const LiveSerials* serials = nullptr;
  // The signatures of the signed zones, made ahead (dnssec/zone_signatures.hh); null: none.
  const dnssec::Signatures* signatures = nullptr;
  // The TSIG keys, which UPDATE messages are screened against before the update thread's
  // queue (update_queue.hh); null: none screened.
  const tsig::Keyring* keys = nullptr;
};

// Where query threads find the current ServingState (replaced whole on reload).
using Serving = ServingSlot<ServingState>;

struct Client {
  Transport transport = Transport::udp;
  routing::ClientInfo info;  // source address (and later EDNS Client Subnet)
  // Seconds since the epoch, for DNS cookie timestamps; 0: the engine reads the clock.
  std::uint32_t now = 0;
};

// Per-worker memory, allocated once at start (gdnsd dnsp_ctx): the response is built here.
struct Scratch {
  std::array<std::uint8_t, 65535> response;
};

struct Reply {
  enum class Kind : std::uint8_t { send, drop };
  static constexpr std::uint32_t no_qtype = 0x10000;  // the response echoes no question

  // In this order, the three flags sharing a byte, the reply is 24 bytes (checked below).
  Kind kind = Kind::drop;
  bool truncated : 1 = false;  // TC is set, for counters
  // The query carried a valid server cookie of ours (RFC 7873 §5.2.5): its source address is
  // proven, so rate limiting may let it through.
  bool valid_server_cookie : 1 = false;
  // The answer was synthesised from a wildcard (RFC 4592): rate limiting (rrl.hh) counts such
  // answers per zone, not per qname, which a client could vary at will.
  bool wildcard : 1 = false;
  std::uint16_t rcode = 0;              // the full 12-bit rcode, for counters
  std::uint32_t qtype = no_qtype;       // the echoed question's QTYPE, for counters
  std::span<const std::uint8_t> bytes;  // into Scratch::response when kind == send
};
static_assert(sizeof(Reply) == 24);

}  // namespace dnsd
