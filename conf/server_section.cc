// log_level, [server] and [resolver]: how dnsd listens and which DNS servers probes ask.
#include <fmt/format.h>
#include <pwd.h>

#include <algorithm>
#include <array>
#include <vector>

#include "conf/address.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

using namespace std::chrono_literals;

namespace {

constexpr Key k_server[] = {
    Key::other("listen", "list of \"ADDRESS:PORT\"", "[\"127.0.0.1:5353\"]", "",
               "Served over UDP and TCP (IPv6 as \"[::1]:53\"); at restart."),
    Key::integer("workers", 1, 64, "1", "UDP worker threads, one SO_REUSEPORT socket each."),
    Key::integer("udp_payload", 512, 4096, "1232", "Largest EDNS UDP answer sent."),
    Key::duration("tcp_idle_timeout", 100ms, 1h, "10s",
                  "A TCP connection with no message begun for this long closes."),
    Key::duration("tcp_io_timeout", 10ms, 1min, "500ms",
                  "A message begun must arrive whole, and an answer be taken, within this."),
    Key::integer("tcp_max_connections", 1, 65535, "256", "TCP connections at once."),
    Key::integer("tcp_max_connections_per_client", 1, 65535, "32",
                 "Per IPv4 address and per IPv6 /64."),
    Key::other("chaos_version", "string", "", "at most 255 bytes",
               "Answer CHAOS TXT version.bind and version.server (absent: REFUSED)."),
    Key::other("chaos_identity", "string", "", "at most 255 bytes",
               "Answer CHAOS TXT id.server and hostname.bind (absent: REFUSED)."),
    Key::other("user", "string", "", "an existing user",
               "Started as root: switch to this user once the sockets are bound."),
    Key::integer("max_transfers", 1, 1000, "10", "Zone transfers at once; beyond: REFUSED."),
    Key::other("core_dumps", "boolean", "false", "",
               "true allows core dumps, which hold the secrets; read at start."),
    Key::other("allow_plain_http_credentials", "boolean", "true", "",
               "false: a monitor sending header values over plain http is an error."),
    Key::integer("max_zone_file_size", 1024, std::int64_t{1} << 32, "67108864",
                 "Bytes per master file and per $INCLUDE."),
    Key::integer("max_zone_records", 1, 100'000'000, "1000000",
                 "Records per master file with its $INCLUDEs."),
    Key::integer("max_zone_line_length", 256, std::int64_t{16} << 20, "65536",
                 "Bytes per master-file line."),
    Key::integer("max_record_drop", 0, 100, "50",
                 "Percent of a zone's records a reload may drop; more is rejected."),
    Key::other("strict_secret_files", "boolean", "false", "",
               "A secret file others may read, or a symlink, is an error, not a warning."),
    Key::other("probe_source_ipv4", "address", "", "an IPv4 address of this host",
               "Probes and endpoint lookups are sent from this address."),
    Key::other("probe_source_ipv6", "address", "", "an IPv6 address of this host",
               "Probes and endpoint lookups are sent from this address."),
    Key::other("update_log", "path", "", "",
               "Applied dynamic updates, fsync'd and replayed at start (absent: memory only)."),
    Key::other("log_format", "string", "text", "text, json",
               "Log lines as text (an RFC 3339 time first) or one JSON object each; at start."),
};

constexpr Key k_resolver[] = {
    Key::other("servers", "list of \"ADDRESS:PORT\"", "/etc/resolv.conf's", "",
               "Where probes resolve FQDN endpoints."),
};

}  // namespace

const KeyTable server_keys{"[server]", "How dnsd listens, its limits and its files.", k_server};
const KeyTable resolver_keys{"[resolver]", "The DNS servers probes ask.", k_resolver};

LogLevel read_log_level(Section& root) {
  constexpr std::array<std::pair<std::string_view, LogLevel>, 4> k_levels{
      {{"debug", LogLevel::debug},
       {"info", LogLevel::info},
       {"warning", LogLevel::warning},
       {"error", LogLevel::error}}};
  const auto text = root.string("log_level");
  if (!text) return LogLevel::info;
  for (const auto& [name, level] : k_levels)
    if (name == *text) return level;
  root.error("log_level",
             fmt::format("unknown log level {} (expected one of debug, info, warning, error)",
                         in_quotes(*text)));
  return LogLevel::info;
}

namespace {

// Each address once; an element's own key ("server.listen[1]") locates its error.
std::vector<HostPort> read_addresses(Section& section, std::string_view name, bool at_least_one) {
  std::vector<HostPort> out;
  const auto items = section.strings(name, false);
  if (!items) return out;
  if (at_least_one && items->empty()) section.error(name, "must list at least one address");
  for (const auto& item : *items) {
    std::string why;
    const auto parsed = parse_host_port(item.value, &why);
    if (!parsed) {
      section.diag().add(item.line, item.key,
                         fmt::format("bad address {}: {}", in_quotes(item.value), why));
      continue;
    }
    const bool repeated = std::any_of(out.begin(), out.end(), [&](const HostPort& seen) {
      return seen.ip.bytes == parsed->ip.bytes && seen.ip.v6 == parsed->ip.v6 &&
             seen.port == parsed->port;
    });
    if (repeated)
      section.diag().add(item.line, item.key,
                         fmt::format("{} is listed twice", parsed->to_string()));
    else
      out.push_back(*parsed);
  }
  return out;
}

// CHAOS TXT answers are one <character-string> each (RFC 4892), so at most 255 bytes.
std::optional<std::string> read_chaos(Section& section, std::string_view name) {
  auto text = section.string(name);
  if (text && text->size() > 255) {
    section.error(name, fmt::format("must be at most 255 bytes, got {}", text->size()));
    return std::nullopt;
  }
  return text;
}

// The account dnsd drops root to must exist where the config is checked and run.
std::optional<std::string> read_user(Section& section) {
  auto name = section.string("user");
  if (!name) return std::nullopt;
  if (name->empty()) {
    section.error("user", "must name a user (leave the key out to keep the starting user)");
    return std::nullopt;
  }
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  getpwnam_r(name->c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (!found) {
    section.error("user", fmt::format("no such user {}", in_quotes(*name)));
    return std::nullopt;
  }
  return name;
}

// The bounds on files (config.hh FileLimits); each key optional, the defaults are the struct's.
void read_file_limits(Section& s, FileLimits& files) {
  const auto size = [&](std::string_view key, std::size_t fallback) {
    return static_cast<std::size_t>(s.integer(key).value_or(static_cast<std::int64_t>(fallback)));
  };
  files.max_zone_file_size = size("max_zone_file_size", files.max_zone_file_size);
  files.max_zone_records = size("max_zone_records", files.max_zone_records);
  files.max_zone_line_length = size("max_zone_line_length", files.max_zone_line_length);
  files.max_record_drop = static_cast<unsigned>(size("max_record_drop", files.max_record_drop));
  files.strict_secret_files = s.boolean("strict_secret_files").value_or(files.strict_secret_files);
}

// An address of this host of the key's family, which probes bind as their source; "" when
// absent or wrong. Bound once here (port 0), so a typo fails the load, not every probe.
std::string read_probe_source(Section& s, std::string_view name, bool v6) {
  const auto text = s.string(name);
  if (!text) return {};
  const auto ip = parse_ip(*text);
  if (!ip || ip->v6 != v6) {
    s.error(name,
            fmt::format("must be an {} address, got {}", v6 ? "IPv6" : "IPv4", excerpt(*text)));
    return {};
  }
  if (const auto why = bind_error(*ip); !why.empty()) {
    s.error(name, fmt::format("cannot bind {}: {} (must be an address of this host)",
                              in_quotes(ip->text), why));
    return {};
  }
  return ip->text;
}

// log_format: "text" or "json".
LogFormat read_log_format(Section& s) {
  const auto text = s.string("log_format");
  if (!text || *text == "text") return LogFormat::text;
  if (*text == "json") return LogFormat::json;
  s.error("log_format",
          fmt::format("unknown log format {} (expected \"text\" or \"json\")", in_quotes(*text)));
  return LogFormat::text;
}

}  // namespace

void read_server(Section& root, ServerSection& server, routing::ProbeSource& probe_source) {
  const auto* table = root.table("server");
  if (!table) return;
  Section s(root.diag(), *table, "server", server_keys);
  if (s.has("listen")) {
    server.listen.clear();
    for (const auto& address : read_addresses(s, "listen", true))
      server.listen.push_back({address.ip.text, address.port});
  }
  server.workers = static_cast<unsigned>(s.integer("workers").value_or(server.workers));
  server.udp_payload =
      static_cast<std::uint16_t>(s.integer("udp_payload").value_or(server.udp_payload));
  server.tcp_idle_timeout = s.duration("tcp_idle_timeout").value_or(server.tcp_idle_timeout);
  server.tcp_io_timeout = s.duration("tcp_io_timeout").value_or(server.tcp_io_timeout);
  server.tcp_max_connections =
      static_cast<unsigned>(s.integer("tcp_max_connections").value_or(server.tcp_max_connections));
  server.tcp_max_connections_per_client = static_cast<unsigned>(
      s.integer("tcp_max_connections_per_client").value_or(server.tcp_max_connections_per_client));
  server.chaos_version = read_chaos(s, "chaos_version");
  server.chaos_identity = read_chaos(s, "chaos_identity");
  server.user = read_user(s);
  server.max_transfers =
      static_cast<unsigned>(s.integer("max_transfers").value_or(server.max_transfers));
  server.core_dumps = s.boolean("core_dumps").value_or(server.core_dumps);
  server.allow_plain_http_credentials =
      s.boolean("allow_plain_http_credentials").value_or(server.allow_plain_http_credentials);
  read_file_limits(s, server.files);
  server.log_format = read_log_format(s);
  probe_source.ipv4 = read_probe_source(s, "probe_source_ipv4", false);
  probe_source.ipv6 = read_probe_source(s, "probe_source_ipv6", true);
  if (const auto log = s.string("update_log")) {
    if (log->empty())
      s.error("update_log", "must name a file (leave the key out to keep updates in memory only)");
    else
      server.update_log = *log;  // resolved against the config's directory by the caller
  }
  s.finish();
}

void read_resolver(Section& root, routing::ResolverSettings& resolver) {
  const auto* table = root.table("resolver");
  if (!table) return;
  Section s(root.diag(), *table, "resolver", resolver_keys);
  for (const auto& address : read_addresses(s, "servers", false))
    resolver.servers.push_back(address.to_string());
  s.finish();
}

}  // namespace conf
