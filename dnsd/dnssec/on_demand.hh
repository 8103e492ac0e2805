// Signatures that depend on the query name, made when first asked for (RFC 9824 compact
// denial NSECs, wildcard expansions, multi-address picks) and kept in a bounded cache per
// query thread: no lock, and a hit allocates nothing. A miss signs with OpenSSL and allocates;
// a flood of random names is cut by response rate limiting (dnsd/udp_answer.cc decides before
// any signature is made, see defer_on_demand()), and evicts only this thread's entries.
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

// Rate limiting before signing. While this thread defers, a miss signs nothing: it returns an
// empty list and notes that the answer owes a signature, so that the UDP server can classify
// and rate-limit the (otherwise complete) response first, and answer again, signed, only if it
// sends it. A dropped response then costs no signature, a slipped one (TC) carries none. What a
// deferred answer counts waits for end_deferral(): kept if it is sent as it is, else dropped.
void defer_on_demand() noexcept;
// True while deferring once a miss was left unsigned (the writer leaves its RRSIG-less NSEC out
// rather than truncating, so the response classifies as the signed one would).
bool signature_owed() noexcept;
// Stops deferring. True: the deferred answer owes a signature; if it is to be sent, answer again
// (its counts were dropped; the second answer counts). False: its counts stand when `sent`.
bool end_deferral(bool sent) noexcept;

// How the cache fared: `signatures` RRSIGs made (one per key and miss), lookups answered from
// the cache (`hits`) and signed for (`misses`). Deferred answers not sent count nothing.
struct CacheCounts {
  std::uint64_t signatures = 0, hits = 0, misses = 0;
};
// This thread's (tests).
CacheCounts on_demand_counts() noexcept;
// Every thread's, summed (the metrics scrape): each thread adds to a counter slot of its own,
// so the query path takes no lock and allocates nothing; the sum is read with relaxed loads.
CacheCounts on_demand_totals() noexcept;

}  // namespace dnsd::dnssec
