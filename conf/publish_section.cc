// [publish] (serial policy, state directory, IXFR journal bounds) and each [[profile]]'s
// transfer keys (transfer_client, transfer_weighted): what secondaries are given (publish/).
#include <fmt/format.h>

#include <algorithm>

#include "conf/address.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [publish] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_publish_keys[] = {
    Key::other("serial_policy", "string", "increment", "increment, unix, date",
               "How a new serial is chosen; serials never go backwards (RFC 1982)."),
    Key::other("state_directory", "path", "", "",
               "The last serial of each zone is kept here across restarts."),
    Key::integer("journal_diffs", 1, 100000, "100", "IXFR history per zone, in diffs."),
    Key::integer("journal_bytes", 1024, std::int64_t{1} << 34, "16777216",
                 "IXFR history per zone, in bytes."),
};
const KeyTable publish_keys{
    "[publish]", "What secondaries are given: each health-routed name as its current decision.",
    k_publish_keys};

void read_publish(Section& root, const LoadContext& ctx, publish::Settings& settings) {
  const auto* table = root.table("publish");
  if (!table) return;
  Section s(root.diag(), *table, "publish", publish_keys);
  if (const auto policy = s.string("serial_policy")) {
    if (*policy == "increment")
      settings.serial_policy = publish::SerialPolicy::increment;
    else if (*policy == "unix")
      settings.serial_policy = publish::SerialPolicy::unix_time;
    else if (*policy == "date")
      settings.serial_policy = publish::SerialPolicy::date;
    else
      s.error("serial_policy", fmt::format("unknown policy {} (expected increment, unix or date)",
                                           in_quotes(*policy)));
  }
  if (const auto dir = s.string("state_directory")) {
    if (dir->empty())
      s.error("state_directory", "must name a directory (leave the key out to keep no serials)");
    else
      settings.state_directory = ctx.resolve(*dir);
  }
  if (const auto diffs = s.integer("journal_diffs"))
    settings.journal.max_entries = static_cast<std::size_t>(*diffs);
  if (const auto bytes = s.integer("journal_bytes"))
    settings.journal.max_bytes = static_cast<std::size_t>(*bytes);
  s.finish();
}

void read_profile_transfer(Section& ps, const routing::Profile& profile,
                           publish::ProfileTransfer& transfer) {
  using routing::Method;
  if (const auto client = ps.string("transfer_client")) {
    const auto address = parse_ip(*client);
    if (profile.method != Method::subnet && profile.method != Method::geographic &&
        profile.method != Method::performance) {
      ps.error("transfer_client",
               "transfer_client applies to methods \"subnet\", \"geographic\" and "
               "\"performance\" only");
    } else if (!address) {
      ps.error("transfer_client",
               fmt::format("bad address {} (expected an IPv4 or IPv6 address, e.g. \"192.0.2.1\")",
                           in_quotes(*client)));
    } else {
      transfer.client.address = address->bytes;
      transfer.client.is_ipv6 = address->v6;
    }
  }
  if (const auto choice = ps.string("transfer_weighted")) {
    const bool all_ip =
        std::all_of(profile.endpoints.begin(), profile.endpoints.end(), [](auto& e) {
          return e.kind == routing::TargetKind::ipv4 || e.kind == routing::TargetKind::ipv6;
        });
    if (profile.method != Method::weighted)
      ps.error("transfer_weighted", "transfer_weighted applies to method \"weighted\" only");
    else if (*choice == "heaviest")
      transfer.weighted = publish::WeightedChoice::heaviest;
    else if (*choice != "all")
      ps.error("transfer_weighted",
               fmt::format("unknown choice {} (expected heaviest or all)", in_quotes(*choice)));
    else if (!all_ip)
      ps.error("transfer_weighted",
               "\"all\" needs IP endpoints only (a CNAME RRset holds one name: use \"heaviest\")");
    else
      transfer.weighted = publish::WeightedChoice::all;
  }
}

}  // namespace conf
