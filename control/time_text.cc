// RFC 3339 (UTC, "Z") formatting and parsing for the admin API.
#include "control/time_text.hh"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace control {

std::string format_time(WallClock::time_point at) {
  const std::time_t t = WallClock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::optional<WallClock::time_point> parse_time(std::string_view text) {
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size())
    return WallClock::from_time_t(static_cast<std::time_t>(seconds));
  std::tm tm{};
  const std::string copy(text);
  const char* rest = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  const std::string_view zone(rest);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;  // UTC only: no time-zone database
  return WallClock::from_time_t(timegm(&tm));
}

}  // namespace control
