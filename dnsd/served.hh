// The face dnsd/ shows the layer that loads configs (control/): one generation's inputs in, the
// state query threads read out, its prepared answers built. Runs on the loading thread, never
// on the query path; does no I/O.
#pragma once

#include <memory>

#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/engine.hh"
#include "dnsd/prepared.hh"
#include "dnsd/server_config.hh"
#include "dnsd/zone/zone.hh"
#include "routing/flat_addresses.hh"
#include "routing/health_table.hh"
#include "routing/model.hh"

namespace dnsd {

// What one generation serves from. Each must outlive the Served made from it; the health words
// and flattened addresses keep being written by probe/ while it is served.
struct ServingInputs {
  const ServerConfig* server = nullptr;
  const zone::ZoneSet* zones = nullptr;
  const routing::Model* model = nullptr;
  const routing::HealthTable* health = nullptr;
  const routing::FlatAddresses* flat = nullptr;
  std::span<const dnssec::ZoneKeys> dnssec_keys;  // the signed zones' keys; empty: none signed
  std::int64_t now = 0;                           // Unix seconds the signatures start from
};

// A generation's serving state and the prepared answers it points to (held here, so moving a
// Served keeps `state` valid).
struct Served {
  std::unique_ptr<const dnssec::Signatures> signatures;
  std::vector<std::string> signing_errors;  // zones left unsigned, one line each
  std::unique_ptr<const PreparedAnswers> prepared;
  ServingState state;
};

// Encodes the prepared answers of `inputs` (by asking the general path, see prepared.hh) and
// makes the ServingState that reads them. The slow part of a reload: call it before taking
// any lock that readers of the admin API share.
Served make_serving_state(const ServingInputs& inputs);

}  // namespace dnsd
