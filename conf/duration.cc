// TOML durations. Master-file TTLs use BIND units instead (wire::ttl_from_text), because that is
// what operators copy from BIND, Knot and NSD zones.
#include "conf/duration.hh"

#include <array>
#include <charconv>
#include <cstdint>

namespace conf {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};
// "ms" before "m", so the longest suffix wins.
constexpr std::array<Unit, 4> k_units{{{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}}};

// Caps every part so the sum cannot overflow; anything near the cap fails range checks later.
constexpr std::int64_t k_max_ms = std::int64_t{1} << 50;

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  while (!text.empty()) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data() || value < 0 || text[0] == '+' || text[0] == '-')
      return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    const Unit* unit = nullptr;
    for (const auto& candidate : k_units)
      if (text.starts_with(candidate.suffix)) {
        unit = &candidate;
        break;
      }
    if (!unit || value > k_max_ms / unit->ms) return std::nullopt;
    text.remove_prefix(unit->suffix.size());
    total += value * unit->ms;
    if (total > k_max_ms) return std::nullopt;
  }
  return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds value) {
  std::int64_t ms = value.count();
  if (ms == 0) return "0s";
  std::string out;
  for (const auto& unit : {k_units[3], k_units[2], k_units[1], k_units[0]}) {
    if (ms >= unit.ms) {
      out += std::to_string(ms / unit.ms) + std::string(unit.suffix);
      ms %= unit.ms;
    }
  }
  return out;
}

}  // namespace conf
