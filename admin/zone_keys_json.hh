// GET /api/v1/zones/{zone}/keys: a signed zone's keys with their rollover state, since when,
// what each does now and when its next step is allowed. Tags and states only: no key material.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "control/runtime.hh"

namespace admin {

// nullopt when `zone` is not a signed zone of the running config.
std::optional<nlohmann::json> zone_keys_json(const control::Runtime& runtime,
                                             const std::string& zone);

}  // namespace admin
