// What a lookup in one zone found: the outcome of RFC 1034 §4.3.2 step 3 for one name and type.
// A plain value pointing into the zone; the writing of sections is the answer code's job.
#pragma once

#include <cstdint>

#include "dnsd/zone/node.hh"

namespace dnsd::zone {

struct Lookup {
  enum class Kind : std::uint8_t {
    hit,       // 3.a: `rrset` of the asked type at `node`
    nodata,    // 3.a: the name exists, the type does not (RFC 2308 §2.2)
    nxdomain,  // 3.c: no such name and no wildcard (RFC 2308 §2.1)
    referral,  // 3.b: `node` is a zone cut above or at the name, `rrset` its NS
    cname,     // 3.a: `rrset` is the CNAME at `node`, to be followed
    profile,   // a health-routed name: `node->profile` answers for it
  };
  Kind kind = Kind::nxdomain;
  const Node* node = nullptr;  // the node answering (for a wildcard: the "*" node)
  const RRset* rrset = nullptr;
  // The deepest existing ancestor of the name, or the node itself (RFC 4592 §3.3.1).
  const Node* closest_encloser = nullptr;
  // The answer is synthesised from `node`, the source of synthesis "*.<closest_encloser>"
  // (RFC 4592 §3.3.1); it still has one of the kinds above, under the asked owner name.
  bool wildcard = false;
};

}  // namespace dnsd::zone
