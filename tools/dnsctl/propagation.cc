// wait-propagated's decision (see propagation.hh).
#include "tools/dnsctl/propagation.hh"

#include <fmt/format.h>

namespace dnsctl {

bool serial_at_least(std::uint32_t have, std::uint32_t want) noexcept {
  return static_cast<std::int32_t>(have - want) >= 0;
}

std::vector<std::string> missing_secondaries(const nlohmann::json& zone, std::uint32_t serial) {
  std::vector<std::string> out;
  for (const auto& s : zone.value("secondaries", nlohmann::json::array())) {
    const std::string name = s.value("secondary", "?");
    const auto& serving = s.contains("serving_serial") ? s["serving_serial"] : nlohmann::json();
    if (!s.value("answered", false)) {
      const auto& error = s.contains("error") ? s["error"] : nlohmann::json();
      out.push_back(error.is_string()
                        ? fmt::format("{} did not answer ({})", name, error.get<std::string>())
                        : fmt::format("{} did not answer", name));
    } else if (!serving.is_number_integer() || serving.get<std::int64_t>() < 0 ||
               serving.get<std::int64_t>() > 0xFFFFFFFFll) {
      out.push_back(fmt::format("{} did not say its serial", name));
    } else if (const auto have = serving.get<std::uint32_t>(); !serial_at_least(have, serial)) {
      out.push_back(fmt::format("{} serves serial {}", name, have));
    }
  }
  return out;
}

long parse_seconds(const std::string& text) noexcept {
  if (text.empty() || text.size() > 9) return -1;
  long unit = 1;
  std::string number = text;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    default:
      break;
  }
  if (unit != 1 || text.back() == 's') number.pop_back();
  if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stol(number) * unit;
}

}  // namespace dnsctl
