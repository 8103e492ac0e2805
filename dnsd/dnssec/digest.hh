// Key tags (RFC 4034 Appendix B) and DS records (RFC 4509: SHA-256, digest type 2): what a
// parent publishes for a key, and what `dnsctl ds` prints.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dnsd::dnssec {

inline constexpr std::uint8_t digest_sha256 = 2;

std::uint16_t key_tag(std::span<const std::uint8_t> dnskey_rdata) noexcept;

// DS rdata: key tag, algorithm, digest type 2, SHA-256(owner | DNSKEY rdata) (RFC 4034 §5.1.4).
// `owner` is the zone's name in wire form (lower-cased here).
std::vector<std::uint8_t> ds_rdata(std::span<const std::uint8_t> owner,
                                   std::span<const std::uint8_t> dnskey_rdata);

// CDS/CDNSKEY carry the DS and DNSKEY rdata unchanged (RFC 7344 §3.1).

// "<tag> <alg> 2 <hex digest>" for a DS rdata, as in a master file.
std::string ds_text(std::span<const std::uint8_t> ds);

}  // namespace dnsd::dnssec
