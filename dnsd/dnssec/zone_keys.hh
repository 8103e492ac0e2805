// A signed zone's keys and signing policy, as conf/ reads them from [zone.dnssec] and the
// signer uses them. Keys are shared (the private key is never copied) and never printed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dnsd/dnssec/key.hh"
#include "dnsd/dnssec/key_states.hh"
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
  // The keys that sign now (state active). on_demand.cc and the signer read these alone.
  std::vector<SigningKey> keys;
  // Published or retired KSKs and combined keys: they sign the apex key sets only, so a resolver
  // whose DS points at either the old or the new key validates them (RFC 7583 §3.3.2).
  std::vector<SigningKey> key_set_signers;
  SigningPolicy policy;
  // Rollover: every configured key's state (key_states.hh), kept in `state_file`; the file was
  // missing when !states_found (a first start: every key active, the Runtime writes it).
  std::vector<KeyStatus> states;
  std::string state_file;
  bool states_found = false;
  RolloverWaits waits;  // max_ttl left 0: control/ works it out from the zone as served
  // Which keys sign what: with a ZSK (flags 256) present, KSKs sign the apex key sets only and
  // ZSKs everything else; with KSKs (or combined keys) alone, they sign everything.
  bool split() const noexcept {
    for (const auto& key : keys)
      if (key.flags() == flags_zsk) return true;
    return false;
  }
};

}  // namespace dnsd::dnssec
