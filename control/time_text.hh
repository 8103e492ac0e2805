// Wall-clock times as the admin API, dnsctl and the log write and read them: RFC 3339 in UTC, whole
// seconds
// ("2026-11-24T03:00:00Z"). Also accepted on input: Unix seconds ("1795489200").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "control/overrides.hh"  // WallClock

namespace control {

std::string format_time(WallClock::time_point at);
std::optional<WallClock::time_point> parse_time(std::string_view text);

}  // namespace control
