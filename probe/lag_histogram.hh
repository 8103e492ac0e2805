// LagHistogram: how late probes start against their schedule. Fixed size (log-linear buckets,
// HDR-style), so recording allocates nothing; pure, no clock, no locks (Prober guards it).
//
// Buckets, in microseconds: below 64 µs one bucket per microsecond; above, each power of two
// is split into 32 equal buckets (error at most 1/32 ≈ 3%), up to 2^26 µs ≈ 67 s. Anything
// later lands in the last bucket; max() stays exact.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace probe {

// What Prober::lag_stats() returns: a summary of every probe start so far.
struct LagStats {
  std::uint64_t count = 0;  // probe starts recorded
  std::chrono::microseconds p50{0};
  std::chrono::microseconds p99{0};
  std::chrono::microseconds max{0};
};

class LagHistogram {
 public:
  static constexpr unsigned k_linear_bits = 6;  // exact below 2^6 µs
  static constexpr unsigned k_sub_bits = 5;     // 32 buckets per power of two above
  static constexpr unsigned k_top_bits = 26;    // last power of two: [2^25, 2^26) µs
  static constexpr std::size_t k_buckets =
      (std::size_t{1} << k_linear_bits) +
      (k_top_bits - k_linear_bits) * (std::size_t{1} << k_sub_bits);

  // Negative lags (a clock step, or a caller running early) count as zero.
  void record(std::chrono::microseconds lag) noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::chrono::microseconds max() const noexcept { return std::chrono::microseconds(max_); }
  // The smallest recorded-bucket upper bound with at least q of the samples at or below it,
  // capped at max(); q in [0, 1]. Zero when empty.
  std::chrono::microseconds percentile(double q) const noexcept;
  LagStats stats() const noexcept;
  // Adds another histogram's samples (the probe threads' histograms make one summary).
  void merge(const LagHistogram& other) noexcept {
    for (std::size_t i = 0; i < k_buckets; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    if (other.max_ > max_) max_ = other.max_;
  }

  // Exposed for the tests: the bucket of a value, and the largest value a bucket holds.
  static std::size_t bucket_of(std::uint64_t us) noexcept;
  static std::uint64_t upper_bound_of(std::size_t bucket) noexcept;

 private:
  std::array<std::uint64_t, k_buckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace probe
