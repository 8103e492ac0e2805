// [rrl]: response rate limiting (README "Rate limiting"). Values are checked here; control/
// hands them to the UDP servers as dnsd::RrlConfig.
#include <fmt/format.h>

#include "conf/sections.hh"
#include "routing/address_range.hh"

namespace conf {

using namespace std::chrono_literals;

void read_rrl(Section& root, RrlSection& rrl) {
  const auto* table = root.table("rrl");
  if (!table) return;
  Section s(
      root.diag(), *table, "rrl",
      {"enabled", "rate", "window", "slip", "ipv4_prefix", "ipv6_prefix", "exempt", "table_size"});
  rrl.enabled = s.boolean("enabled").value_or(rrl.enabled);
  rrl.rate = static_cast<unsigned>(s.integer("rate", 1, 100'000).value_or(rrl.rate));
  // Whole seconds: BIND's window, and the time a flood keeps its source limited after it stops.
  if (const auto window = s.duration("window", 1s, 3600s)) {
    if (*window % 1s != 0ms)
      s.error("window", "must be whole seconds");
    else
      rrl.window = std::chrono::duration_cast<std::chrono::seconds>(*window);
  }
  rrl.slip = static_cast<unsigned>(s.integer("slip", 0, 10).value_or(rrl.slip));
  rrl.ipv4_prefix =
      static_cast<std::uint8_t>(s.integer("ipv4_prefix", 8, 32).value_or(rrl.ipv4_prefix));
  rrl.ipv6_prefix =
      static_cast<std::uint8_t>(s.integer("ipv6_prefix", 16, 128).value_or(rrl.ipv6_prefix));
  if (const auto items = s.strings("exempt", true)) {
    for (const auto& item : *items) {
      routing::AddressRange range;
      std::string why;
      if (routing::parse_range(item.value, range, why))
        rrl.exempt.push_back(std::move(range));
      else
        s.error_at(item.line, item.key,
                   fmt::format("bad address range {}: {}", in_quotes(item.value), why));
    }
  }
  rrl.table_size = static_cast<std::size_t>(
      s.integer("table_size", 1024, 1 << 26).value_or(static_cast<std::int64_t>(rrl.table_size)));
  s.finish();
}

}  // namespace conf
