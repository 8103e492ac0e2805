// Token buckets per key (see rate.hh).
#include "dnsd/update/rate.hh"

#include <algorithm>

namespace dnsd::update {

bool RateLimiter::take(const wire::Name& key, unsigned per_minute, Clock::time_point now) {
  Bucket& bucket = buckets_[key.to_text()];
  const double capacity = std::max(1u, per_minute);
  if (!bucket.started) {
    bucket = {capacity, now, {}, true};
  } else {
    const std::chrono::duration<double> elapsed = now - bucket.at;
    bucket.tokens = std::min(capacity, bucket.tokens + elapsed.count() * per_minute / 60.0);
    bucket.at = now;
  }
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

bool RateLimiter::should_log(const wire::Name& key, Clock::time_point now) {
  Bucket& bucket = buckets_[key.to_text()];
  if (bucket.logged != Clock::time_point{} && now - bucket.logged < std::chrono::seconds(1))
    return false;
  bucket.logged = now;
  return true;
}

}  // namespace dnsd::update
