// A signed zone's keys and signing policy, as conf/ reads them from [zone.dnssec] and the
// signer uses them. Keys are shared (the private key is never copied) and never printed.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "dnsd/dnssec/key.hh"
#include "dnsd/wire/name.hh"

namespace dnsd::dnssec {

struct SigningPolicy {
  std::chrono::seconds inception_offset{3600};    // signatures valid from now - this
  std::chrono::seconds validity{14 * 24 * 3600};  // ... until now + this
  std::chrono::seconds refresh{7 * 24 * 3600};    // re-signed when this much validity is left
  std::size_t denial_cache_size = 10000;          // on-demand signatures kept per thread
};

struct ZoneKeys {
  wire::Name origin;  // lower-cased
  std::vector<SigningKey> keys;
  SigningPolicy policy;
  // Which keys sign what: with a ZSK (flags 256) present, KSKs sign the apex key sets only and
  // ZSKs everything else; with KSKs (or combined keys) alone, they sign everything.
  bool split() const noexcept {
    for (const auto& key : keys)
      if (key.flags() == flags_zsk) return true;
    return false;
  }
};

}  // namespace dnsd::dnssec
