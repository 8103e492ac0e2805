// [rrl]: response rate limiting (README "Rate limiting"). Values are checked here; control/
// hands them to the UDP servers as dnsd::RrlConfig.
#include <fmt/format.h>

#include "conf/key_tables.hh"
#include "conf/sections.hh"
#include "routing/address_range.hh"

namespace conf {

// The keys of [rrl] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_rrl_keys[] = {
    Key::other("enabled", "boolean", "false", "", "Turns response rate limiting on."),
    Key::integer("rate", 1, 100'000, "20", "Responses per second per bucket."),
    Key::duration("window", std::chrono::seconds(1), std::chrono::seconds(3600), "15s",
                  "A source over the rate stays limited this long (whole seconds)."),
    Key::integer("slip", 0, 10, "2",
                 "Every slip-th limited response is sent truncated; 0 drops all."),
    Key::integer("ipv4_prefix", 8, 32, "24", "Clients are grouped by this IPv4 prefix."),
    Key::integer("ipv6_prefix", 16, 128, "56", "Clients are grouped by this IPv6 prefix."),
    Key::other("exempt", "list of ranges", "", "CIDR, an address, or first-last",
               "Client ranges never limited."),
    Key::integer("table_size", 1024, 1 << 26, "262144",
                 "Buckets, allocated at start (8 bytes each)."),
};
const KeyTable rrl_keys{"[rrl]", "Response rate limiting of UDP answers.", k_rrl_keys};

using namespace std::chrono_literals;

void read_rrl(Section& root, RrlSection& rrl) {
  const auto* table = root.table("rrl");
  if (!table) return;
  Section s(root.diag(), *table, "rrl", rrl_keys);
  rrl.enabled = s.boolean("enabled").value_or(rrl.enabled);
  rrl.rate = static_cast<unsigned>(s.integer("rate").value_or(rrl.rate));
  // Whole seconds: BIND's window, and the time a flood keeps its source limited after it stops.
  if (const auto window = s.duration("window")) {
    if (*window % 1s != 0ms)
      s.error("window", "must be whole seconds");
    else
      rrl.window = std::chrono::duration_cast<std::chrono::seconds>(*window);
  }
  rrl.slip = static_cast<unsigned>(s.integer("slip").value_or(rrl.slip));
  rrl.ipv4_prefix = static_cast<std::uint8_t>(s.integer("ipv4_prefix").value_or(rrl.ipv4_prefix));
  rrl.ipv6_prefix = static_cast<std::uint8_t>(s.integer("ipv6_prefix").value_or(rrl.ipv6_prefix));
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
      s.integer("table_size").value_or(static_cast<std::int64_t>(rrl.table_size)));
  s.finish();
}

}  // namespace conf
