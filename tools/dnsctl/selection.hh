// Picking one profile or endpoint out of GET /api/v1/status for `dnsctl status P [E]` and
// `dnsctl enable`, with the operator's spelling of a profile (case, trailing dot) forgiven.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace dnsctl {

// The element of status "profiles" named `name` ("CI.tm.test" finds "ci.tm.test."), or null.
const nlohmann::json* find_profile(const nlohmann::json& status, const std::string& name);
const nlohmann::json* find_endpoint(const nlohmann::json& profile, const std::string& name);

// "no such profile: X", or "no such endpoint: E in P (it has eu, us)".
std::string no_such_profile(const std::string& name);
std::string no_such_endpoint(const nlohmann::json& profile, const std::string& name);

// Why `enable` would change nothing: "eu has no override; nothing to enable", or nullopt when
// the endpoint has an override (or a window to come) that enable removes.
std::optional<std::string> nothing_to_enable(const nlohmann::json& endpoint);

}  // namespace dnsctl
