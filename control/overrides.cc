// Overrides: the manual disable list and its maintenance windows (see overrides.hh).
#include "control/overrides.hh"

namespace control {

void Overrides::disable(Override entry) {
  auto key = std::pair{entry.profile, entry.endpoint};
  entries_.insert_or_assign(std::move(key), std::move(entry));
}

bool Overrides::enable(const std::string& profile, const std::string& endpoint) {
  return entries_.erase(std::pair{profile, endpoint}) > 0;
}

const Override* Overrides::find(const std::string& profile, const std::string& endpoint) const {
  const auto it = entries_.find(std::pair{profile, endpoint});
  return it == entries_.end() ? nullptr : &it->second;
}

bool Overrides::disabled(const std::string& profile, const std::string& endpoint,
                         WallClock::time_point now) const {
  const Override* entry = find(profile, endpoint);
  return entry && entry->active(now);
}

std::vector<Override> Overrides::expire(WallClock::time_point now) {
  std::vector<Override> ended;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.until && now >= *it->second.until) {
      ended.push_back(std::move(it->second));
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return ended;
}

std::optional<WallClock::time_point> Overrides::next_change(WallClock::time_point now) const {
  std::optional<WallClock::time_point> next;
  const auto consider = [&](const std::optional<WallClock::time_point>& at) {
    if (at && *at > now && (!next || *at < *next)) next = at;
  };
  for (const auto& [key, entry] : entries_) {
    consider(entry.from);
    consider(entry.until);
  }
  return next;
}

std::vector<Override> Overrides::all() const {
  std::vector<Override> out;
  for (const auto& [key, entry] : entries_) out.push_back(entry);
  return out;
}

}  // namespace control
