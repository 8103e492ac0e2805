// LagHistogram: bucket bounds, and percentiles of known inputs (exact below 64 µs, within the
// 1/32 bucket width above).
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "probe/lag_histogram.hh"

using probe::LagHistogram;
using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST_CASE("lag histogram: an empty histogram reports zeros") {
  const LagHistogram h;
  const auto s = h.stats();
  CHECK(s.count == 0);
  CHECK(s.p50 == microseconds(0));
  CHECK(s.p99 == microseconds(0));
  CHECK(s.max == microseconds(0));
}

TEST_CASE("lag histogram: every value falls in a bucket whose bounds hold it, within 1/32") {
  for (std::uint64_t us = 0; us < (std::uint64_t{1} << 26); us = us < 200 ? us + 1 : us * 33 / 32) {
    const auto b = LagHistogram::bucket_of(us);
    REQUIRE(b < LagHistogram::k_buckets);
    CHECK(LagHistogram::upper_bound_of(b) >= us);
    if (b > 0) CHECK(LagHistogram::upper_bound_of(b - 1) < us);
    CHECK(LagHistogram::upper_bound_of(b) - us <= us / 32);
  }
  CHECK(LagHistogram::bucket_of(std::uint64_t{1} << 40) == LagHistogram::k_buckets - 1);
}

TEST_CASE("lag histogram: small lags are exact") {
  LagHistogram h;
  for (int us = 1; us <= 50; ++us) h.record(microseconds(us));
  CHECK(h.count() == 50);
  CHECK(h.percentile(0.50) == microseconds(25));
  CHECK(h.percentile(0.98) == microseconds(49));
  CHECK(h.percentile(1.0) == microseconds(50));
  CHECK(h.max() == microseconds(50));
}

TEST_CASE("lag histogram: 1 to 1000 ms gives p50 500 ms and p99 990 ms, within 1/32") {
  LagHistogram h;
  // Shuffled: the order of records must not matter.
  std::vector<int> ms(1000);
  for (int i = 0; i < 1000; ++i) ms[i] = i + 1;
  std::shuffle(ms.begin(), ms.end(), std::mt19937_64(3));
  for (int v : ms) h.record(milliseconds(v));
  const auto s = h.stats();
  CHECK(s.count == 1000);
  CHECK(s.p50 >= milliseconds(500));
  CHECK(s.p50 <= microseconds(500'000 + 500'000 / 32));
  CHECK(s.p99 >= milliseconds(990));
  CHECK(s.p99 <= microseconds(990'000 + 990'000 / 32));
  CHECK(s.max == milliseconds(1000));
}

TEST_CASE("lag histogram: a tail of 1% shows in p99 but not in p50") {
  LagHistogram h;
  for (int i = 0; i < 980; ++i) h.record(microseconds(200));
  for (int i = 0; i < 20; ++i) h.record(milliseconds(80));
  const auto s = h.stats();
  CHECK(s.p50 >= microseconds(200));
  CHECK(s.p50 <= microseconds(207));
  CHECK(s.p99 >= milliseconds(80));
  CHECK(s.p99 <= microseconds(80'000 + 80'000 / 32));
  CHECK(s.max == milliseconds(80));
}

TEST_CASE("lag histogram: negative lags count as zero, huge ones keep an exact max") {
  LagHistogram h;
  h.record(microseconds(-5));
  h.record(std::chrono::hours(2));
  CHECK(h.count() == 2);
  CHECK(h.percentile(0.5) == microseconds(0));
  CHECK(h.percentile(1.0) == std::chrono::hours(2));
  CHECK(h.max() == std::chrono::hours(2));
}
