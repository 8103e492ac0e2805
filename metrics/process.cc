// Process metrics from /proc: parsing kept apart from reading, so the parsing is tested on text.
#include "metrics/process.hh"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <string>

namespace metrics {
namespace {

std::optional<std::string> slurp(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The next space-separated field of `rest`, which moves past it.
std::string_view next_field(std::string_view& rest) {
  const auto start = rest.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(start);
  const auto end = rest.find_first_of(" \n");
  const std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return field;
}

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Entries of /proc/self/fd, less the one opendir() itself holds.
std::optional<std::uint64_t> count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return std::nullopt;
  std::uint64_t count = 0;
  while (const dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count > 0 ? count - 1 : 0;
}

}  // namespace

std::optional<ProcessStats> parse_proc_stat(std::string_view stat, long ticks_per_second,
                                            long page_size, double boot_time_unix_s) {
  // Field 2 is "(comm)", and comm may hold anything: the fields go on after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0 || page_size <= 0)
    return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  std::optional<std::uint64_t> fields[25];  // fields[n]: proc(5) field n (3 is the first here)
  for (int n = 3; n <= 24; ++n) fields[n] = number(next_field(rest));
  for (const int n : {14, 15, 22, 23, 24})
    if (!fields[n]) return std::nullopt;
  const auto ticks = static_cast<double>(ticks_per_second);
  ProcessStats stats;
  stats.cpu_seconds = static_cast<double>(*fields[14] + *fields[15]) / ticks;
  stats.start_time_unix_s = boot_time_unix_s + static_cast<double>(*fields[22]) / ticks;
  stats.virtual_bytes = *fields[23];
  stats.resident_bytes = *fields[24] * static_cast<std::uint64_t>(page_size);
  return stats;
}

std::optional<double> parse_boot_time(std::string_view proc_stat) {
  constexpr std::string_view key = "btime ";
  for (std::size_t at = 0; at < proc_stat.size();) {
    auto end = proc_stat.find('\n', at);
    if (end == std::string_view::npos) end = proc_stat.size();
    const std::string_view line = proc_stat.substr(at, end - at);
    if (line.substr(0, key.size()) == key)
      if (const auto value = number(line.substr(key.size()))) return static_cast<double>(*value);
    at = end + 1;
  }
  return std::nullopt;
}

std::optional<ProcessStats> read_process_stats() {
  const auto stat = slurp("/proc/self/stat");
  const auto system = slurp("/proc/stat");
  const auto boot = system ? parse_boot_time(*system) : std::nullopt;
  if (!stat || !boot) return std::nullopt;
  auto stats = parse_proc_stat(*stat, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE), *boot);
  if (!stats) return std::nullopt;
  stats->open_fds = count_open_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    stats->max_fds = limit.rlim_cur;
  return stats;
}

}  // namespace metrics
