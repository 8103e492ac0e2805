// wait_until: poll a condition until it holds or a deadline passes. No sleep-and-hope: the
// caller states the bound, and the result says whether the condition was met within it.
#pragma once

#include <chrono>
#include <thread>

namespace test_support {

using Clock = std::chrono::steady_clock;

template <typename Predicate>
bool wait_until(Clock::time_point deadline, Predicate&& holds) {
  for (;;) {
    if (holds()) return true;
    if (Clock::now() >= deadline) return holds();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll step, not a guess
  }
}

template <typename Predicate>
bool wait_for(std::chrono::milliseconds bound, Predicate&& holds) {
  return wait_until(Clock::now() + bound, std::forward<Predicate>(holds));
}

}  // namespace test_support
