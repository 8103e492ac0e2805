// Text output of dnsctl: the status table (like the portal's endpoint list), explain steps and
// the secondaries' propagation table.
// Only what the API returns is printed, and the API holds no secrets.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dnsctl {

std::string render_status(const nlohmann::json& status);
std::string render_explain(const nlohmann::json& explanation);
// GET /api/v1/secondaries: one row per zone and secondary, then per zone "serial S, propagated
// to N of M secondaries".
std::string render_secondaries(const nlohmann::json& secondaries);

}  // namespace dnsctl
