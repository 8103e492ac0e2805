// The key table of dnsctl key list (see key_list.hh).
#include "tools/dnsctl/key_list.hh"

#include <fmt/format.h>

namespace dnsctl {

std::string render_key_list(const nlohmann::json& keys) {
  std::string out = fmt::format("{:<6} {:<4} {:<10} {:<21} {:<32} {}\n", "TAG", "ROLE", "STATE",
                                "SINCE", "DOES", "NEXT");
  for (const auto& key : keys.value("keys", nlohmann::json::array())) {
    std::string next = "-";
    if (key.contains("next")) {
      const auto& step = key["next"];
      next = step.value("action", "");
      if (step.contains("not_before")) next += " from " + step.value("not_before", "");
    }
    out += fmt::format("{:<6} {:<4} {:<10} {:<21} {:<32} {}\n", key.value("tag", 0),
                       key.value("role", ""), key.value("state", ""), key.value("since", ""),
                       key.value("duty", ""), next);
  }
  out +=
      fmt::format("zone {}: DNSKEY TTL {}s, largest TTL {}s, propagation delay {}s; states in {}\n",
                  keys.value("zone", ""), keys.value("dnskey_ttl", 0), keys.value("max_ttl", 0),
                  keys.value("propagation_delay", 0), keys.value("state_file", ""));
  return out;
}

}  // namespace dnsctl
