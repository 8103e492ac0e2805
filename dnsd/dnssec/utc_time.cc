// The one reader and writer of the DNSSEC files' times (see utc_time.hh).
#include "dnsd/dnssec/utc_time.hh"

#include <fmt/format.h>

#include <ctime>

namespace dnsd::dnssec {

std::string utc_text(std::int64_t seconds) {
  const std::time_t at = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&at, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::optional<std::int64_t> utc_from_text(std::string_view text) {
  std::tm tm{};
  const std::string copy(text);
  const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

}  // namespace dnsd::dnssec
