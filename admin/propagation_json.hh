// JSON of how far each published zone's serial has reached its secondaries: GET
// /api/v1/secondaries and the "publishing" part of GET /api/v1/status. Pure: built from what
// control::Publishing::propagation() returns, no I/O.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "control/publishing.hh"

namespace admin {

// {"all_current": bool, "zones": [{"zone", "serial", "propagated_to", "of", "summary",
//   "secondaries": [{"secondary", "notify", "acked_serial", "serving_serial", "seen_by",
//   "seen_at", "error", "current", "answered"}]}]}; unknown values are null, times RFC 3339
//   UTC; "answered": it answered this request's SOA check (?check=1), so serving_serial is
//   what it serves now.
nlohmann::json propagation_json(const std::vector<control::ZonePropagation>& zones);

}  // namespace admin
