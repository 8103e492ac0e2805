// Overrides: endpoints switched off by hand, for good or for a maintenance window, keyed by
// profile and endpoint name so they outlive a reload. Pure data and rules: the Runtime applies
// them to the admin bits through routing::HealthWriter (which recomputes the nested endpoints
// above), and calls expire() so a window ends by itself.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace control {

using WallClock = std::chrono::system_clock;

struct Override {
  std::string profile;  // profile_key() form: lower case, trailing dot
  std::string endpoint;
  std::optional<WallClock::time_point> from;   // unset: from now
  std::optional<WallClock::time_point> until;  // unset: until enabled by hand
  // Disabled at `now`: inside [from, until).
  bool active(WallClock::time_point now) const noexcept {
    return (!from || now >= *from) && (!until || now < *until);
  }
};

class Overrides {
 public:
  // Replaces any override of the same endpoint.
  void disable(Override entry);
  // Removes the endpoint's override; false when it had none.
  bool enable(const std::string& profile, const std::string& endpoint);

  const Override* find(const std::string& profile, const std::string& endpoint) const;
  bool disabled(const std::string& profile, const std::string& endpoint,
                WallClock::time_point now) const;
  // Drops windows that have ended; returns them (for the log).
  std::vector<Override> expire(WallClock::time_point now);
  // The next start or end of a window after `now`, if any.
  std::optional<WallClock::time_point> next_change(WallClock::time_point now) const;
  // Drops overrides whose endpoint `exists` says is gone; returns them.
  template <typename Exists>
  std::vector<Override> retain(Exists exists) {
    std::vector<Override> dropped;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (exists(it->second.profile, it->second.endpoint)) {
        ++it;
      } else {
        dropped.push_back(std::move(it->second));
        it = entries_.erase(it);
      }
    }
    return dropped;
  }
  std::vector<Override> all() const;

 private:
  std::map<std::pair<std::string, std::string>, Override> entries_;
};

}  // namespace control
