// Prerequisite checks (RFC 2136 §3.2) against the zone as it is served (config records and
// the dynamic overlay together). Pure: a zone and records in, a Verdict out.
#pragma once

#include <span>

#include "dnsd/update/message.hh"
#include "dnsd/update/verdict.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::update {

// In the RFC's order: each record's form (FORMERR), its owner (NOTZONE), then "name is in use"
// (NXDOMAIN), "RRset exists" (NXRRSET), "name is not in use" (YXDOMAIN), "RRset does not exist"
// (YXRRSET); finally the value-dependent RRsets are compared as whole sets (NXRRSET).
Verdict check_prerequisites(const zone::Zone& zone, std::uint16_t zone_class,
                            std::span<const Record> prerequisites);

}  // namespace dnsd::update
