// Scheduler: jittered intervals over a min-heap (see scheduler.hh).
#include "probe/scheduler.hh"

#include <algorithm>

namespace probe {

using std::chrono::milliseconds;

milliseconds Scheduler::jittered(milliseconds interval) {
  const auto spread = interval.count() / 10;
  if (spread <= 0) return interval;
  std::uniform_int_distribution<long long> offset(-spread, spread);
  return milliseconds(interval.count() + offset(rng_));
}

void Scheduler::schedule_first(std::size_t index, Clock::time_point now, milliseconds interval) {
  const auto window = std::min<long long>(interval.count(), 1000);
  std::uniform_int_distribution<long long> offset(0, std::max<long long>(window - 1, 0));
  heap_.push(Entry{now + milliseconds(offset(rng_)), index});
}

void Scheduler::schedule_next(std::size_t index, Clock::time_point started, milliseconds interval) {
  heap_.push(Entry{started + jittered(interval), index});
}

std::optional<std::size_t> Scheduler::pop_due(Clock::time_point now) {
  const auto entry = pop_due_entry(now);
  if (!entry) return std::nullopt;
  return entry->index;
}

std::optional<Scheduler::Due> Scheduler::pop_due_entry(Clock::time_point now) {
  if (heap_.empty() || heap_.top().due > now) return std::nullopt;
  const Due entry{heap_.top().index, heap_.top().due};
  heap_.pop();
  return entry;
}

std::optional<Scheduler::Clock::time_point> Scheduler::next_due() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due;
}

}  // namespace probe
