// Text output of dnsctl: the status table (like the portal's endpoint list) and explain steps.
// Only what the API returns is printed, and the API holds no secrets.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dnsctl {

std::string render_status(const nlohmann::json& status);
std::string render_explain(const nlohmann::json& explanation);

}  // namespace dnsctl
