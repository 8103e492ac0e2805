// Rng: the cheap per-thread generator weighted routing draws from on the query path.
// xorshift64* (Vigna): no lock, no allocation; each query thread owns its state.
#pragma once

#include <cstdint>

namespace routing {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept { reseed(seed); }
  // splitmix64 spreads the seed, so seeds 1, 2, 3 start far apart and 0 is allowed.
  void reseed(std::uint64_t seed) noexcept {
    std::uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    state_ = (z ^ (z >> 31)) | 1;  // xorshift must not start at 0
  }
  std::uint64_t next() noexcept {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545f4914f6cdd1dull;
  }
  // Uniform in [0, bound), bound > 0: multiply-shift of the top 32 bits (Lemire). The bias,
  // bound / 2^32, is below 5e-5 for the largest total weight (200 x 1000).
  std::uint32_t below(std::uint32_t bound) noexcept {
    return static_cast<std::uint32_t>(((next() >> 32) * bound) >> 32);
  }

 private:
  std::uint64_t state_ = 1;
};

// The calling thread's generator, seeded from the thread's identity and the clock on first use.
Rng& thread_rng() noexcept;
// Tests: makes the calling thread's draws repeatable.
void seed_thread_rng(std::uint64_t seed) noexcept;

}  // namespace routing
