// Per-thread generators: thread_local state, so query threads never share or lock one.
#include "routing/random.hh"

#include <chrono>
#include <cstdint>

namespace routing {
namespace {

std::uint64_t first_seed(const void* where) noexcept {
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return static_cast<std::uint64_t>(now) ^ reinterpret_cast<std::uintptr_t>(where);
}

thread_local Rng t_rng{0};
thread_local bool t_seeded = false;

}  // namespace

Rng& thread_rng() noexcept {
  if (!t_seeded) {
    t_rng.reseed(first_seed(&t_rng));
    t_seeded = true;
  }
  return t_rng;
}

void seed_thread_rng(std::uint64_t seed) noexcept {
  t_rng.reseed(seed);
  t_seeded = true;
}

}  // namespace routing
