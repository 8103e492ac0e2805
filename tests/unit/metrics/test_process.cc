// Process metrics: the /proc text parsed into Prometheus' units.
#include <doctest/doctest.h>

#include "metrics/process.hh"

using namespace metrics;

namespace {
// A real /proc/self/stat line (fields 1 to 52), with a comm that holds a space and a ')'.
constexpr std::string_view k_stat =
    "4242 (dnsd) (x) S 1 4242 4242 0 -1 4194560 1530 0 0 0 250 150 0 0 20 0 5 0 123400 "
    "104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 16898 0 0 0 17 1 0 0 0 0 0 0 0 0 0 "
    "0 0 0 0\n";
}  // namespace

TEST_CASE("process: CPU, memory and start time come from the stat line in Prometheus' units") {
  const auto stats = parse_proc_stat(k_stat, 100, 4096, 1'700'000'000);
  REQUIRE(stats);
  CHECK(stats->cpu_seconds == doctest::Approx(4.0));                  // (250 + 150) ticks at 100 Hz
  CHECK(stats->start_time_unix_s == doctest::Approx(1'700'001'234));  // boot + 123400 ticks
  CHECK(stats->virtual_bytes == 104'857'600);
  CHECK(stats->resident_bytes == 2560u * 4096u);
}

TEST_CASE("process: text that is not a stat line is refused, not misread") {
  CHECK_FALSE(parse_proc_stat("", 100, 4096, 0));
  CHECK_FALSE(parse_proc_stat("4242 (dnsd) S 1 2 3", 100, 4096, 0));  // cut short
  CHECK_FALSE(parse_proc_stat(k_stat, 0, 4096, 0));                   // no tick rate
}

TEST_CASE("process: the boot time is the btime line of /proc/stat") {
  CHECK(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n") == 1'700'000'000);
  CHECK_FALSE(parse_boot_time("cpu  1 2 3\n"));
  CHECK_FALSE(parse_boot_time("btime x\n"));
}

TEST_CASE("process: this process reads as a plausible one") {
  const auto stats = read_process_stats();
  REQUIRE(stats);
  CHECK(stats->resident_bytes > 0);
  REQUIRE(stats->open_fds);
  CHECK(*stats->open_fds >= 3);  // stdin, stdout, stderr
  REQUIRE(stats->max_fds);
  CHECK(*stats->max_fds >= *stats->open_fds);
}
