// The configuration reference: every key table of conf/ (key_tables.hh) as Markdown, printed by
// `dnsd --config-reference` and committed as doc/config-reference.md (lint.config_reference).
#pragma once

#include <span>
#include <string>

#include "conf/key_table.hh"

namespace conf {

// In the order the README and dnsd.toml(5) present the file.
std::span<const KeyTable* const> key_tables();
std::string config_reference();

}  // namespace conf
