// RFC 3339 (UTC, "Z") formatting and parsing for the admin API.
#include "control/time_text.hh"

#include <fmt/format.h>

#include <cerrno>
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

namespace {

// Seconds since the epoch that a WallClock::time_point holds without overflow (its ticks are
// nanoseconds on Linux: up to 2262-04-11T23:47:16Z, as admin/window_time.cc says). Before 1970 is
// refused too: no override or window starts then, and a negative number is a typo.
std::optional<WallClock::time_point> in_range(long long seconds) {
  constexpr auto k_max =
      std::chrono::duration_cast<std::chrono::seconds>(WallClock::duration::max()).count();
  if (seconds < 0 || seconds > k_max) return std::nullopt;
  return WallClock::time_point(std::chrono::duration_cast<WallClock::duration>(
      std::chrono::seconds(static_cast<std::chrono::seconds::rep>(seconds))));
}

}  // namespace

std::optional<WallClock::time_point> parse_time(std::string_view text) {
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (end == text.data() + text.size() && !text.empty()) {
    // All digits: Unix seconds, or too many of them (out of range is an error, never a wrap).
    if (ec != std::errc()) return std::nullopt;
    return in_range(seconds);
  }
  std::tm tm{};
  const std::string copy(text);
  const char* rest = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  const std::string_view zone(rest);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;  // UTC only: no time-zone database
  errno = 0;
  const std::time_t t = timegm(&tm);
  if (t == -1 && errno == EOVERFLOW) return std::nullopt;
  return in_range(t);
}

}  // namespace control
