// Window times (see window_time.hh). The seconds are worked out here first, in 64 bits, so the
// range is checked before anything is converted to the clock's nanoseconds.
#include "admin/window_time.hh"

#include <fmt/format.h>

#include <charconv>
#include <climits>
#include <ctime>

#include "control/time_text.hh"

namespace admin {

using control::WallClock;

namespace {

// Seconds since 1970 the text stands for, the same two forms parse_time() reads; nullopt when
// it is neither or does not fit in 64 bits.
std::optional<long long> seconds_of(std::string_view text) {
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (end == text.data() + text.size() && !text.empty()) {
    if (ec == std::errc::result_out_of_range) return LLONG_MAX;
    if (ec == std::errc()) return seconds;
  }
  std::tm tm{};
  const std::string copy(text);
  const char* rest = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  return static_cast<long long>(timegm(&tm));
}

}  // namespace

std::optional<WallClock::time_point> parse_window_time(std::string_view name, std::string_view text,
                                                       std::string* error) {
  // system_clock counts nanoseconds in 64 bits: up to 2262-04-11T23:47:16Z.
  constexpr long long latest =
      std::chrono::duration_cast<std::chrono::seconds>(WallClock::duration::max()).count();
  const auto seconds = seconds_of(text);
  if (seconds && (*seconds > latest || *seconds < 0)) {
    *error = fmt::format("{} is out of range: it must lie between 1970-01-01T00:00:00Z and {}",
                         name, control::format_time(WallClock::from_time_t(latest)));
    return std::nullopt;
  }
  const auto at = seconds ? control::parse_time(text) : std::nullopt;
  if (!at) *error = fmt::format("{} must be a UTC time such as 2026-11-24T03:00:00Z", name);
  return at;
}

}  // namespace admin
