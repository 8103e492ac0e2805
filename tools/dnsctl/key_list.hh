// dnsctl key list: a signed zone's keys as a table (GET /api/v1/zones/{zone}/keys). Pure: JSON
// in, text out; the times and waits are the server's word.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dnsctl {

// One row per key (tag, role, state, since, what it does, the next step and from when), then
// the waits the steps honour.
std::string render_key_list(const nlohmann::json& keys);

}  // namespace dnsctl
