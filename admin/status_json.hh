// The admin API's JSON documents, built from the Runtime's current Generation. Secrets (probe
// headers, the admin token) are not part of any of them: only names, states and times are.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "control/runtime.hh"
#include "routing/pick.hh"

namespace admin {

// GET /api/v1/status: every profile and endpoint with state, last failure, last probe, latency,
// consecutive failures, the last N probe results, and the answer a query would get now (for a
// client routing knows nothing about: methods that route by client are asked through explain).
nlohmann::json status_json(const control::Runtime& runtime);

// GET /api/v1/explain; nullopt with *error set when the profile is unknown.
std::optional<nlohmann::json> explain_json(const control::Runtime& runtime,
                                           const std::string& profile,
                                           const routing::ClientInfo& client, std::string* error);

nlohmann::json reload_json(const control::ReloadReport& report);

}  // namespace admin
