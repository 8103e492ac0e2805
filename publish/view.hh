// The transfer view of a zone: a zone::Zone without profile nodes, holding the served zone's
// static RRsets and, at each profile's name, its decision as plain records (decision.hh); and
// the diff between two views. Built on the publishing thread, never on the query path.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dnsd/zone/diff.hh"
#include "dnsd/zone/zone.hh"
#include "publish/decision.hh"

namespace publish {

// A profile's name in a zone and the records last published for it.
struct Decision {
  dnsd::wire::Name owner;
  routing::ProfileId profile = 0;
  bool at_apex = false;
  std::vector<dnsd::zone::Record> records;
};

// Every profile name of `served`, with its decision now.
std::vector<Decision> decide_all(const dnsd::zone::Zone& served, const Sources& sources);

// The view of `served` at `serial`: its RRsets but the profiles, the SOA's serial set to
// `serial`, and every decision's records. Errors (a decision the builder refuses) are listed.
dnsd::zone::BuildResult build_view(const dnsd::zone::Zone& served, std::uint32_t serial,
                                   const std::vector<Decision>& decisions);

// The diff from the view `from` to the view `to` (same origin), to the serial `serial`: every
// record one holds and the other does not; an RRset whose TTL changed is replaced whole (see
// zone::Diff). The new SOA is `to`'s with `serial`. Empty (no removed, no added, same SOA
// fields) when the two hold the same records.
dnsd::zone::Diff diff_views(const dnsd::zone::Zone& from, const dnsd::zone::Zone& to,
                            std::uint32_t serial);
// True when `diff` changes nothing but the serial.
bool changes_nothing(const dnsd::zone::Diff& diff);

}  // namespace publish
