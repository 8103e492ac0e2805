// Signatures that depend on the query name, made when first asked for (RFC 9824 compact
// denial NSECs, wildcard expansions, multi-address picks) and kept in a bounded cache per
// query thread: no lock, and a hit allocates nothing. A miss signs with OpenSSL and allocates;
// a flood of random names is cut by response rate limiting (dnsd/rrl.cc) before it gets here
// for most queries, and evicts only this thread's entries.
#pragma once

#include <cstdint>
#include <span>

#include "dnsd/dnssec/zone_signatures.hh"

namespace dnsd::dnssec {

using Rdatas = std::span<const std::span<const std::uint8_t>>;

// The RRSIGs over (owner, type, ttl, rdatas) by the zone's keys, valid for the zone's current
// window; from this thread's cache when there. Empty when signing fails. The view stays valid
// until this thread's next call.
zone::RdataList sign_on_demand(const ZoneSignatures& zone, std::span<const std::uint8_t> owner,
                               std::uint16_t type, std::uint32_t ttl, Rdatas rdatas) noexcept;

// How this thread's cache fared (tests, metrics).
struct CacheCounts {
  std::uint64_t hits = 0, misses = 0;
};
CacheCounts on_demand_counts() noexcept;

}  // namespace dnsd::dnssec
