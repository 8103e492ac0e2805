// The canonical form and order of an RRset (RFC 4034 §6, RFC 6840 §5.1): names in the rdata of
// the types RFC 4034 §6.2 lists lower-cased, rdatas sorted as left-justified unsigned octet
// strings, duplicates once. What an RRSIG signs; used at build time only (allocates).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace dnsd::dnssec {

// One rdata in canonical form: names of NS, CNAME, PTR, DNAME, MX, SRV, SOA (ours) lower-cased.
std::vector<std::uint8_t> canonical_rdata(std::uint16_t type, std::span<const std::uint8_t> rdata);

// Number of labels of an owner, "*" and the root not counted (the RRSIG Labels field, §3.1.3).
std::uint8_t rrsig_labels(std::span<const std::uint8_t> owner) noexcept;

// The data an RRSIG signs (RFC 4034 §3.1.8.1): `rrsig_head` (the RRSIG rdata up to the
// signature, signer's name lower-cased) followed by each RR of the set in canonical order.
std::vector<std::uint8_t> signed_data(std::span<const std::uint8_t> rrsig_head,
                                      std::span<const std::uint8_t> owner, std::uint16_t type,
                                      std::uint32_t original_ttl,
                                      const std::vector<std::vector<std::uint8_t>>& rdatas);

}  // namespace dnsd::dnssec
