// Logging: level filter, line formats (plain with a timestamp, journal, JSON), one write(2) per
// line.
#include "logging/log.hh"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <utility>
#include <vector>

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

std::string rfc3339(Clock::time_point at) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     ms.count() % 1000);
}

namespace {

// A JSON string (RFC 8259 §7): quotes, backslash and control bytes escaped; bytes above 0x7e
// as \u00XX too, so a line stays valid JSON whatever bytes a message quoted.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\u{:04x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The key=value pairs of "module: text key=value key2=\"quoted value\"": a key is a word that
// starts a space-separated token; a quoted value runs to the next unescaped quote.
std::vector<std::pair<std::string_view, std::string>> fields_of(std::string_view message) {
  std::vector<std::pair<std::string_view, std::string>> out;
  std::size_t i = 0;
  while (i < message.size()) {
    const std::size_t start = i;
    while (i < message.size() && is_key_char(message[i])) ++i;
    if (i > start && i < message.size() && message[i] == '=') {
      const std::string_view key = message.substr(start, i - start);
      std::string value;
      ++i;
      if (i < message.size() && message[i] == '"') {
        for (++i; i < message.size() && message[i] != '"'; ++i) {
          if (message[i] == '\\' && i + 1 < message.size()) ++i;
          value += message[i];
        }
        ++i;
      } else {
        while (i < message.size() && message[i] != ' ') value += message[i++];
      }
      out.emplace_back(key, std::move(value));
    }
    while (i < message.size() && message[i] != ' ') ++i;  // the rest of a plain word
    while (i < message.size() && message[i] == ' ') ++i;
  }
  return out;
}

std::string json_line(Level level, std::string_view message, Clock::time_point at) {
  std::string out = "{\"ts\":\"" + rfc3339(at) + "\",\"level\":\"";
  out += to_string(level);
  out += "\",\"msg\":";
  append_json_string(out, message);
  std::vector<std::string_view> keys{"ts", "level", "msg"};
  const auto add = [&](std::string_view key, std::string_view value) {
    for (const auto seen : keys)
      if (seen == key) return;
    keys.push_back(key);
    out += ',';
    append_json_string(out, key);
    out += ':';
    append_json_string(out, value);
  };
  if (const auto colon = message.find(": "); colon != std::string_view::npos) {
    const auto module = message.substr(0, colon);
    if (!module.empty() && std::all_of(module.begin(), module.end(), is_key_char))
      add("module", module);
  }
  const auto fields = fields_of(message);
  for (const auto& [key, value] : fields) add(key, value);
  return out + "}";
}

}  // namespace

std::string format_line(Format format, Level level, std::string_view message,
                        Clock::time_point at) {
  switch (format) {
    case Format::journal:
      return fmt::format("<{}>{}", k_priorities[static_cast<std::size_t>(level)], message);
    case Format::json:
      return json_line(level, message, at);
    case Format::plain:
      break;
  }
  return fmt::format("{} {}", rfc3339(at), message);
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
