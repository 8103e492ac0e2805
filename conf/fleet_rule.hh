// The [fleet] section's `rule` key: "majority" | "at_least:N" | "fraction:F" -> fleet::Rule.
// Reads one string; errors name file, line and key. The [fleet] section reader calls this.
#pragma once

#include <optional>
#include <string_view>

#include "conf/toml_section.hh"
#include "fleet/rule.hh"

namespace conf {

// The rule written as text, or nullopt when it is not one of the three forms.
std::optional<fleet::Rule> parse_fleet_rule(std::string_view text);

// The rule under `name` in `section`: majority when the key is absent; nullopt (with an error
// recorded against the key) when it is not a string or not a rule.
std::optional<fleet::Rule> read_fleet_rule(Section& section, std::string_view name);

}  // namespace conf
