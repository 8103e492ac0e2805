// LagHistogram: log-linear buckets over microseconds (see lag_histogram.hh).
#include "probe/lag_histogram.hh"

#include <algorithm>
#include <bit>
#include <cmath>

namespace probe {

std::size_t LagHistogram::bucket_of(std::uint64_t us) noexcept {
  constexpr std::uint64_t linear = std::uint64_t{1} << k_linear_bits;
  if (us < linear) return static_cast<std::size_t>(us);
  const unsigned exponent = static_cast<unsigned>(std::bit_width(us)) - 1;  // us in [2^e, 2^(e+1))
  if (exponent >= k_top_bits) return k_buckets - 1;
  const auto sub = (us >> (exponent - k_sub_bits)) & ((std::uint64_t{1} << k_sub_bits) - 1);
  return static_cast<std::size_t>(linear + ((exponent - k_linear_bits) << k_sub_bits) + sub);
}

std::uint64_t LagHistogram::upper_bound_of(std::size_t bucket) noexcept {
  constexpr std::size_t linear = std::size_t{1} << k_linear_bits;
  if (bucket < linear) return bucket;
  const auto rest = bucket - linear;
  const unsigned exponent = k_linear_bits + static_cast<unsigned>(rest >> k_sub_bits);
  const auto sub = rest & ((std::size_t{1} << k_sub_bits) - 1);
  const unsigned shift = exponent - k_sub_bits;
  return ((std::uint64_t{1} << exponent) | (std::uint64_t{sub} << shift)) +
         (std::uint64_t{1} << shift) - 1;
}

void LagHistogram::record(std::chrono::microseconds lag) noexcept {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(lag.count(), 0));
  ++buckets_[bucket_of(us)];
  ++count_;
  max_ = std::max(max_, us);
}

std::chrono::microseconds LagHistogram::percentile(double q) const noexcept {
  if (count_ == 0) return std::chrono::microseconds(0);
  // Rank of the sample wanted, 1-based: the ceil(q * n)-th smallest (at least the first).
  const auto rank = std::max<std::uint64_t>(
      1,
      static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < k_buckets; ++b) {
    seen += buckets_[b];
    if (seen >= rank && b == k_buckets - 1) return max();  // beyond the range: only max is known
    if (seen >= rank)
      return std::chrono::microseconds(
          static_cast<std::int64_t>(std::min(upper_bound_of(b), max_)));
  }
  return max();
}

LagStats LagHistogram::stats() const noexcept {
  return LagStats{count_, percentile(0.50), percentile(0.99), max()};
}

}  // namespace probe
