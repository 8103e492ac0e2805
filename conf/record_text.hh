// Record types and data as [[zone.record]] entries and master files both write them, so each
// record type is parsed in one place (wire::rdata_from_text) with one set of messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/wire/name.hh"

namespace conf {

// "A", "mx", "TYPE65280"; meta types (ANY, OPT, AXFR...) are refused, they cannot be stored.
std::optional<std::uint16_t> record_type_from_text(std::string_view text, std::string* error);

// Record data for `type`; relative names are relative to `origin`. The error message names the
// type and the text, e.g. `bad MX data "10": expected 2 fields (...), got 1`.
std::optional<std::vector<std::uint8_t>> record_data_from_text(std::uint16_t type,
                                                               std::string_view text,
                                                               const dnsd::wire::Name& origin,
                                                               std::string* error);

// TTLs (RFC 2181 §8): 0 to 2^31 - 1 seconds.
inline constexpr std::int64_t max_ttl = 2147483647;

}  // namespace conf
