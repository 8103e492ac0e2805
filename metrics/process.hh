// Process metrics under Prometheus' standard names (client libraries' "process collector"), read
// from /proc/self at scrape time: CPU seconds, resident and virtual memory, descriptors open and
// allowed, start time. Linux only; a file that cannot be read leaves its metrics out.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace metrics {

struct ProcessStats {
  double cpu_seconds = 0;        // user + system
  double start_time_unix_s = 0;  // since the epoch
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  std::optional<std::uint64_t> open_fds, max_fds;
};

// The fields of /proc/<pid>/stat this needs (proc(5): utime 14, stime 15, starttime 22, vsize
// 23, rss 24), with the clock tick rate, page size and boot time (/proc/stat btime) to convert
// them. Null when the text is not a stat line (the comm field may hold spaces and parentheses).
std::optional<ProcessStats> parse_proc_stat(std::string_view stat, long ticks_per_second,
                                            long page_size, double boot_time_unix_s);
// "btime <seconds>" out of /proc/stat.
std::optional<double> parse_boot_time(std::string_view proc_stat);

// This process, now: /proc/self/stat, /proc/stat, /proc/self/fd and RLIMIT_NOFILE.
std::optional<ProcessStats> read_process_stats();

}  // namespace metrics
