// EventLog: the ring of recent events and its subscribers (see events.hh).
#include "control/events.hh"

#include <fmt/format.h>

#include <algorithm>

#include "control/time_text.hh"

namespace control {

EventLog::EventLog(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

std::uint64_t EventLog::publish(std::string_view type, nlohmann::json data) {
  const auto at = std::chrono::system_clock::now();
  std::uint64_t seq = 0;
  {
    const std::lock_guard lock(mutex_);
    seq = next_seq_++;
    data["seq"] = seq;
    data["at"] = format_time(at);
    data["type"] = type;
    // dump() escapes newlines inside strings, so the data is one line as SSE needs; bad UTF-8
    // (a detail quoting a garbage body) is replaced rather than thrown.
    ring_.push_back(
        {seq, fmt::format("id: {}\nevent: {}\ndata: {}\n\n", seq, type,
                          data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))});
    if (ring_.size() > capacity_) ring_.pop_front();
  }
  const std::lock_guard lock(subscribers_mutex_);
  for (const auto& [id, wake] : subscribers_) wake();
  return seq;
}

EventBatch EventLog::read_after(std::uint64_t after) const {
  EventBatch batch;
  const std::lock_guard lock(mutex_);
  if (after >= next_seq_) after = 0;  // an id from an earlier process: replay what we have
  batch.last = after;
  if (ring_.empty()) return batch;
  batch.gap = after > 0 && ring_.front().seq > after + 1;
  // Sequence numbers in the ring are consecutive, so the first to send is found by arithmetic.
  const std::uint64_t first = std::max(after + 1, ring_.front().seq);
  for (auto it = ring_.begin() + static_cast<std::ptrdiff_t>(first - ring_.front().seq);
       it != ring_.end(); ++it) {
    batch.text += it->frame;
    batch.last = it->seq;
  }
  return batch;
}

std::uint64_t EventLog::last_seq() const {
  const std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

std::uint64_t EventLog::subscribe(std::function<void()> wake) {
  const std::lock_guard lock(subscribers_mutex_);
  const std::uint64_t id = next_subscriber_++;
  subscribers_.emplace(id, std::move(wake));
  return id;
}

void EventLog::unsubscribe(std::uint64_t id) {
  const std::lock_guard lock(subscribers_mutex_);
  subscribers_.erase(id);
}

}  // namespace control
