// Parses the fleet's voting rule from its config text (fleet_rule.hh).
#include "conf/fleet_rule.hh"

#include <fmt/format.h>

#include <charconv>

#include "conf/errors.hh"

namespace conf {
namespace {

// More vantages than any fleet has; keeps a typo like "at_least:30000" an error.
constexpr std::uint32_t max_at_least = 1000;

// The whole of `text` as one number, or nullopt (no sign, space or trailing bytes).
template <typename T>
std::optional<T> whole_number(std::string_view text) {
  T value{};
  if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<fleet::Rule> parse_fleet_rule(std::string_view text) {
  using Kind = fleet::Rule::Kind;
  if (text == "majority") return fleet::Rule{};
  if (text.starts_with("at_least:")) {
    const auto n = whole_number<std::uint32_t>(text.substr(9));
    if (!n || *n < 1 || *n > max_at_least) return std::nullopt;
    return fleet::Rule{Kind::at_least, *n, 0};
  }
  if (text.starts_with("fraction:")) {
    const auto f = whole_number<double>(text.substr(9));
    if (!f || !(*f >= 0.0 && *f < 1.0)) return std::nullopt;
    return fleet::Rule{Kind::fraction, 1, *f};
  }
  return std::nullopt;
}

std::optional<fleet::Rule> read_fleet_rule(Section& section, std::string_view name) {
  if (!section.has(name)) return fleet::Rule{};
  const auto text = section.string(name);
  if (!text) return std::nullopt;  // not a string: Section recorded it
  auto rule = parse_fleet_rule(*text);
  if (!rule)
    section.error(name, fmt::format("must be \"majority\", \"at_least:N\" (N from 1 to {}) or "
                                    "\"fraction:F\" (F from 0 up to but not including 1), got {}",
                                    max_at_least, excerpt(*text)));
  return rule;
}

}  // namespace conf
