// EventLog: the recent operator events (endpoint transitions, overrides, reloads, fleet and
// secondary news) with a sequence number, for GET /api/v1/events. A fixed ring of the last
// `capacity` events under one mutex; never touched by the query path.
// Any thread may publish; a publisher must not hold a lock a subscriber's wake takes.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace control {

// What a reader gets back from EventLog::read_after().
struct EventBatch {
  std::string text;        // the events' server-sent-event frames, oldest first
  std::uint64_t last = 0;  // seq of the last event in `text`, or the `after` asked for
  bool gap = false;        // events after `after` were dropped from the ring before this read
};

class EventLog {
 public:
  static constexpr std::size_t k_default_capacity = 256;
  explicit EventLog(std::size_t capacity = k_default_capacity);

  // Adds "seq", "at" and "type" to `data`, keeps the event (dropping the oldest beyond
  // capacity) and wakes every subscriber. Returns its seq: 1 for the first, then +1 each.
  std::uint64_t publish(std::string_view type, nlohmann::json data);

  // The retained events with seq > after. An `after` beyond the last seq (a Last-Event-ID of an
  // earlier process) reads everything retained.
  EventBatch read_after(std::uint64_t after) const;
  std::uint64_t last_seq() const;

  // `wake` is called (under the subscribers' lock, so it must only post work elsewhere) after
  // each publish until unsubscribe(id) returns.
  std::uint64_t subscribe(std::function<void()> wake);
  void unsubscribe(std::uint64_t id);

 private:
  struct Event {
    std::uint64_t seq;
    std::string frame;  // "id: 7\nevent: reload\ndata: {...}\n\n"
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<Event> ring_;
  std::uint64_t next_seq_ = 1;
  std::mutex subscribers_mutex_;
  std::map<std::uint64_t, std::function<void()>> subscribers_;
  std::uint64_t next_subscriber_ = 1;
};

}  // namespace control
