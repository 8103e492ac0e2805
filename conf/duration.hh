// Durations as the TOML config writes them: an integer number of seconds, or a string of
// <number><unit> parts with units ms, s, m, h ("500ms", "10s", "1m30s").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace conf {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
// For messages: 90000ms -> "1m30s", in the same form parse_duration reads.
std::string format_duration(std::chrono::milliseconds value);

inline constexpr std::string_view duration_forms =
    "an integer number of seconds or a string like \"500ms\", \"10s\", \"5m\", \"1h\", \"1m30s\"";

}  // namespace conf
