// Propagation JSON (see propagation_json.hh).
#include "admin/propagation_json.hh"

#include <fmt/format.h>

#include "control/time_text.hh"

namespace admin {
namespace {

using nlohmann::json;

json text_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json serial_or_null(const std::optional<std::uint32_t>& serial) {
  return serial ? json(*serial) : json(nullptr);
}

json secondary_json(const control::SecondaryStatus& s) {
  const bool seen = s.serving_serial.has_value();
  return {{"secondary", s.secondary},
          {"notify", text_or_null(s.notify)},
          {"acked_serial", serial_or_null(s.acked_serial)},
          {"serving_serial", serial_or_null(s.serving_serial)},
          {"seen_by", seen ? text_or_null(s.seen_by) : json(nullptr)},
          {"seen_at", seen ? json(control::format_time(s.seen_at)) : json(nullptr)},
          {"error", text_or_null(s.error)},
          {"current", s.current},
          {"answered", s.answered}};
}

}  // namespace

json propagation_json(const std::vector<control::ZonePropagation>& zones) {
  json out = json::array();
  bool all_current = true;
  for (const auto& zone : zones) {
    json secondaries = json::array();
    for (const auto& s : zone.secondaries) secondaries.push_back(secondary_json(s));
    const std::size_t current = zone.current();
    all_current = all_current && current == zone.secondaries.size();
    out.push_back({{"zone", zone.zone},
                   {"serial", zone.serial},
                   {"propagated_to", current},
                   {"of", zone.secondaries.size()},
                   {"summary", fmt::format("serial {}, propagated to {} of {} secondaries",
                                           zone.serial, current, zone.secondaries.size())},
                   {"secondaries", secondaries}});
  }
  return {{"all_current", all_current}, {"zones", out}};
}

}  // namespace admin
