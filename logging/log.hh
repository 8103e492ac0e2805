// Logging: one line per event on stderr, written with a single write(2) so lines from several
// threads never interleave. Under systemd (stderr is the journal: $JOURNAL_STREAM matches) each
// line starts with a "<N>" syslog priority that journald turns into the entry's PRIORITY and
// strips; elsewhere a line is the message alone, exactly as before there were levels (tests,
// benchmarks and operators' greps match "probe: profile=..." at the start of a line).
// Never called on the query path: that path bumps counters instead.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

namespace logging {

// Ordered from the most to the least severe: a line is written when its level <= the threshold.
enum class Level { error = 0, warning = 1, info = 2, debug = 3 };

std::string_view to_string(Level level) noexcept;  // "error", "warning", "info", "debug"
std::optional<Level> parse_level(std::string_view text) noexcept;

// Line format, decided once at start by detect_format(); plain until then.
enum class Format { plain, journal };

// Journal when $JOURNAL_STREAM names the device and inode of our stderr (sd-daemon(3)), as
// systemd sets it for StandardError=journal; plain otherwise (a terminal, a file, a pipe).
Format detect_format() noexcept;

void set_level(Level level) noexcept;
Level level() noexcept;
void set_format(Format format) noexcept;
bool enabled(Level level) noexcept;

// "<3>probe: resolver unusable: ..." (journal) or "probe: resolver unusable: ..." (plain).
std::string format_line(Format format, Level level, std::string_view message);
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
