// Scheduler: when each probe runs next. A min-heap of (due, probe index) with ±10% jitter so
// probes sharing an interval do not move in lockstep. Pure: callers pass the time in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <random>
#include <vector>

namespace probe {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Scheduler(std::uint64_t seed) : rng_(seed) {}

  // The first probe of each endpoint lands in [now, now + min(interval, 1 s)): spread out, yet
  // early enough that a fresh server has verdicts within a second.
  void schedule_first(std::size_t index, Clock::time_point now, std::chrono::milliseconds interval);
  // Next run one jittered interval after the previous one *started*, so a slow probe does not
  // stretch the period (it may be due at once when a probe took nearly the whole interval).
  void schedule_next(std::size_t index, Clock::time_point started,
                     std::chrono::milliseconds interval);
  void schedule_at(std::size_t index, Clock::time_point due) { heap_.push(Entry{due, index}); }

  struct Due {
    std::size_t index;
    Clock::time_point due;  // when it was scheduled to run (for the start-lag histogram)
  };
  // Pops one entry due at or before now.
  std::optional<std::size_t> pop_due(Clock::time_point now);
  std::optional<Due> pop_due_entry(Clock::time_point now);
  std::optional<Clock::time_point> next_due() const;
  std::size_t size() const noexcept { return heap_.size(); }

  // interval * (1 + u), u uniform in [-0.1, +0.1]; exposed for the tests.
  std::chrono::milliseconds jittered(std::chrono::milliseconds interval);

 private:
  struct Entry {
    Clock::time_point due;
    std::size_t index;
    friend bool operator>(const Entry& a, const Entry& b) {
      return a.due != b.due ? a.due > b.due : a.index > b.index;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::mt19937_64 rng_;
};

}  // namespace probe
