// Per-key rate of updates: a token bucket per key (`rate` tokens a minute, holding at most a
// minute's worth), so a burst is allowed and a flood is cut to the rate. Update thread only.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "dnsd/wire/name.hh"

namespace dnsd::update {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // Takes one token of `key`'s bucket; false when it is empty (the update is refused).
  bool take(const wire::Name& key, unsigned per_minute, Clock::time_point now);
  // True at most once a second per key: whether this refusal gets a log line.
  bool should_log(const wire::Name& key, Clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at{};
    Clock::time_point logged{};
    bool started = false;
  };
  std::map<std::string, Bucket> buckets_;
};

}  // namespace dnsd::update
