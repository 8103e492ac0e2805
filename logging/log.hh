// Logging: one line per event on stderr, written with a single write(2) so lines from several
// threads never interleave. Under systemd (stderr is the journal: $JOURNAL_STREAM matches) each
// line starts with a "<N>" syslog priority that journald turns into the entry's PRIORITY and
// strips (the journal stamps the time itself); elsewhere a line starts with an RFC 3339 UTC
// timestamp, then the message ("2026-12-06T04:15:59.123Z probe: profile=..."). [server]
// log_format = "json" writes one JSON object per line instead, for log shippers.
// Never called on the query path: that path bumps counters instead.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace logging {

// Ordered from the most to the least severe: a line is written when its level <= the threshold.
enum class Level { error = 0, warning = 1, info = 2, debug = 3 };

std::string_view to_string(Level level) noexcept;  // "error", "warning", "info", "debug"
std::optional<Level> parse_level(std::string_view text) noexcept;

// Line format, decided once at start by detect_format() and [server] log_format; plain until
// then. plain: "TIMESTAMP message"; journal: "<N>message"; json: {"ts":..,"level":..,"msg":..}.
enum class Format { plain, journal, json };

// Journal when $JOURNAL_STREAM names the device and inode of our stderr (sd-daemon(3)), as
// systemd sets it for StandardError=journal; plain otherwise (a terminal, a file, a pipe).
Format detect_format() noexcept;

void set_level(Level level) noexcept;
Level level() noexcept;
void set_format(Format format) noexcept;
bool enabled(Level level) noexcept;

using Clock = std::chrono::system_clock;

// RFC 3339, UTC, milliseconds: "2026-12-06T04:15:59.123Z".
std::string rfc3339(Clock::time_point at);
// "<3>probe: resolver unusable: ..." (journal), "2026-12-06T04:15:59.123Z probe: resolver
// unusable: ..." (plain), or one JSON object (json): ts, level, msg, then "module" (the word
// before the first ": ") and each key=value pair of the message (values quoted "..." or bare),
// as strings; a key already present is not repeated.
std::string format_line(Format format, Level level, std::string_view message,
                        Clock::time_point at = Clock::now());
// Writes one line (format_line + '\n') to stderr if `level` is enabled.
void write(Level level, std::string_view message) noexcept;

template <typename... Args>
void error(fmt::format_string<Args...> text, Args&&... args) {
  if (enabled(Level::error)) write(Level::error, fmt::format(text, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> text, Args&&... args) {
  if (enabled(Level::warning))
    write(Level::warning, fmt::format(text, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> text, Args&&... args) {
  if (enabled(Level::info)) write(Level::info, fmt::format(text, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> text, Args&&... args) {
  if (enabled(Level::debug)) write(Level::debug, fmt::format(text, std::forward<Args>(args)...));
}

}  // namespace logging
