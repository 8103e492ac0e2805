// Logging: level filter, line format, one write(2) per line.
#include "logging/log.hh"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace logging {
namespace {

std::atomic<Level> g_level{Level::info};
std::atomic<Format> g_format{Format::plain};

constexpr std::array<std::string_view, 4> k_names{"error", "warning", "info", "debug"};
// syslog priorities (sd-daemon.h SD_ERR, SD_WARNING, SD_INFO, SD_DEBUG).
constexpr std::array<char, 4> k_priorities{'3', '4', '6', '7'};

}  // namespace

std::string_view to_string(Level level) noexcept {
  return k_names[static_cast<std::size_t>(level)];
}

std::optional<Level> parse_level(std::string_view text) noexcept {
  for (std::size_t i = 0; i < k_names.size(); ++i)
    if (k_names[i] == text) return static_cast<Level>(i);
  return std::nullopt;
}

Format detect_format() noexcept {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return Format::plain;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return Format::plain;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return Format::plain;
  return st.st_dev == device && st.st_ino == inode ? Format::journal : Format::plain;
}

void set_level(Level level) noexcept { g_level.store(level, std::memory_order_relaxed); }
Level level() noexcept { return g_level.load(std::memory_order_relaxed); }
void set_format(Format format) noexcept { g_format.store(format, std::memory_order_relaxed); }
bool enabled(Level level) noexcept { return level <= g_level.load(std::memory_order_relaxed); }

std::string format_line(Format format, Level level, std::string_view message) {
  if (format == Format::journal)
    return fmt::format("<{}>{}", k_priorities[static_cast<std::size_t>(level)], message);
  return std::string(message);
}

void write(Level level, std::string_view message) noexcept {
  if (!enabled(level)) return;
  try {
    std::string line = format_line(g_format.load(std::memory_order_relaxed), level, message);
    // A message is one line: embedded newlines would make journald split it into entries.
    for (char& c : line)
      if (c == '\n') c = ' ';
    line += '\n';
    std::string_view rest = line;
    while (!rest.empty()) {
      const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // stderr gone: nothing better to do
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  } catch (...) {
    // Out of memory while formatting a log line: drop the line, keep serving.
  }
}

}  // namespace logging
