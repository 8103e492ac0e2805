// The signatures of one zone, made ahead when a generation is built (RFC 4035 §2): an RRSIG
// per key over every authoritative RRset, the compact-denial NSEC of every existing name
// (RFC 9824 §3) with its RRSIGs, and the RRSIGs of every endpoint answer of every health-routed
// name, so a failover switches to an answer already signed. Immutable once built; the query
// path only reads it (no allocation, no lock, no OpenSSL).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dnsd/dnssec/signer.hh"
#include "dnsd/dnssec/zone_keys.hh"
#include "dnsd/zone/zone.hh"
#include "routing/model.hh"

namespace dnsd::dnssec {

inline constexpr std::uint16_t type_nxname = 128;  // RFC 9824 §2: a name that does not exist

// An NSEC record (compact form: the next name is \000.<owner>) and its RRSIGs.
struct Denial {
  zone::RdataList nsec;  // one rdata, its next name lower-cased
  zone::RdataList rrsigs;
};

class ZoneSignatures {
 public:
  const zone::Zone& zone() const noexcept { return *zone_; }
  // The RRSIGs over an RRset of the zone; empty for what is not signed (NS at a cut, glue).
  zone::RdataList rrsigs(const zone::RRset& rrset) const noexcept {
    return rrset_sigs_[zone_->rrset_index(rrset)];
  }
  // The NODATA proof of an existing name (RFC 9824 §3.1): the types it holds, RRSIG and NSEC.
  const Denial& nodata(const zone::Node& node) const noexcept {
    return node_denials_[zone_->node_index(node)];
  }
  // The RRSIGs of endpoint `endpoint`'s record (CNAME or address) at a health-routed node;
  // empty for endpoints answered otherwise (nested profiles, flattened names).
  zone::RdataList endpoint_rrsigs(const zone::Node& node, std::size_t endpoint) const noexcept;
  std::uint32_t negative_ttl() const noexcept { return zone_->negative_ttl(); }
  const ZoneKeys& keys() const noexcept { return *keys_; }
  const Validity& validity() const noexcept { return validity_; }
  // Unique per signing run, so signatures cached for one never serve another.
  std::uint64_t id() const noexcept { return id_; }

 private:
  friend class ZoneSigner;
  const zone::Zone* zone_ = nullptr;
  const ZoneKeys* keys_ = nullptr;
  Validity validity_;
  std::uint64_t id_ = 0;
  std::vector<std::uint8_t> bytes_;  // every rdata, [2-byte length][rdata] per record
  std::vector<zone::RdataList> rrset_sigs_;
  std::vector<Denial> node_denials_;
  std::vector<std::uint32_t> first_endpoint_;  // per node: into endpoint_sigs_
  std::vector<zone::RdataList> endpoint_sigs_;
};

// Signs `zone` with `keys` for a window around `now` (Unix seconds). Null and *error set when
// OpenSSL fails. `zone` and `keys` must outlive the result.
std::unique_ptr<ZoneSignatures> sign_zone(const zone::Zone& zone, const routing::Model& model,
                                          const ZoneKeys& keys, std::int64_t now,
                                          std::string* error);

// The validity window the policy gives at `now`.
Validity validity_at(const SigningPolicy& policy, std::int64_t now) noexcept;

// The type bitmap field of an NSEC (RFC 4034 §4.1.2) for `types` (any order, no duplicates).
std::vector<std::uint8_t> type_bitmap(std::vector<std::uint16_t> types);

// Compact-denial NSEC rdata for `owner`: next name \000.<owner> lower-cased, then the bitmap.
std::vector<std::uint8_t> compact_nsec(std::span<const std::uint8_t> owner,
                                       std::vector<std::uint16_t> types);

// The same into `out` without allocating (the query path's NSECs for missing names): returns
// the size written, or 0 when it does not fit or there are more than 64 types.
std::size_t compact_nsec_into(std::span<const std::uint8_t> owner,
                              std::span<const std::uint16_t> types,
                              std::span<std::uint8_t> out) noexcept;

// Every signed zone of a generation, by ZoneSet position (null: the zone is not signed).
class Signatures {
 public:
  const ZoneSignatures* find(std::size_t zone_index) const noexcept {
    return zone_index < zones_.size() ? zones_[zone_index].get() : nullptr;
  }
  bool empty() const noexcept { return count_ == 0; }
  // When the earliest zone reaches its refresh point (Unix seconds); 0 when none is signed.
  std::int64_t refresh_at() const noexcept { return refresh_at_; }
  // Until when every served signature is valid (the earliest expiration).
  std::int64_t expires_at() const noexcept { return expires_at_; }

 private:
  friend std::unique_ptr<Signatures> sign_zones(const zone::ZoneSet&, const routing::Model&,
                                                std::span<const ZoneKeys>, std::int64_t,
                                                std::vector<std::string>&);
  std::vector<std::unique_ptr<ZoneSignatures>> zones_;
  std::size_t count_ = 0;
  std::int64_t refresh_at_ = 0, expires_at_ = 0;
};

// Signs every zone of `zones` that has keys; a zone that fails to sign is left out with one
// line in `errors`. Null when no zone has keys.
std::unique_ptr<Signatures> sign_zones(const zone::ZoneSet& zones, const routing::Model& model,
                                       std::span<const ZoneKeys> keys, std::int64_t now,
                                       std::vector<std::string>& errors);

}  // namespace dnsd::dnssec
