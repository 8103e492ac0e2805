// A health-routed name's current decision as plain records, for a zone transfer: what a query
// from the profile's transfer client would get now, chosen by routing::pick() from the live
// health words, as dnsd/profile_answer.cc answers. Runs off the query path (it allocates).
#pragma once

#include <vector>

#include "dnsd/wire/name.hh"
#include "dnsd/zone/diff.hh"
#include "publish/settings.hh"
#include "routing/flat_addresses.hh"
#include "routing/health_table.hh"
#include "routing/model.hh"

namespace publish {

// What the decisions are made from. Each must outlive the Publisher's use of it (until the next
// reload); the health words and flattened addresses keep being written while they are read.
struct Sources {
  const routing::Model* model = nullptr;
  const routing::HealthTable* health = nullptr;
  const routing::FlatAddresses* flat = nullptr;  // null: no FQDN endpoint is flattened
  const Settings* settings = nullptr;            // null: every profile with the defaults

  const ProfileTransfer& transfer(routing::ProfileId id) const noexcept;
};

// The records at `owner` for profile `id`:
// - a CNAME to the chosen FQDN endpoint (one record: a CNAME RRset holds one name);
// - A/AAAA records: IP endpoints, and FQDN endpoints where the profile flattens or `at_apex`
//   (their resolved addresses; none until resolved, where a query gets SERVFAIL), both families
//   as an A query and an AAAA query would get them;
// - nothing for a disabled profile (NXDOMAIN at dnsd too) or when every endpoint is disabled.
// Nested profiles are followed to the leaf, whose method, TTL and flattening decide. The TTL
// is the profile's, flattened addresses too (a secondary cannot count a resolved TTL down).
std::vector<dnsd::zone::Record> decide(const Sources& sources, routing::ProfileId id,
                                       const dnsd::wire::Name& owner, bool at_apex);

}  // namespace publish
