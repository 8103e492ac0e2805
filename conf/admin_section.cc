// [admin]: the admin API's listen address, bearer tokens (the admin one, and an optional
// read-only one for /metrics), connection limits and host names, the probe history length and the
// state file. The tokens are read here, once per load, so a reload rotates them.
#include <fmt/format.h>

#include <cctype>
#include <optional>
#include <string>

#include "conf/address.hh"
#include "conf/files.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [admin] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_admin_keys[] = {
    Key::other("enabled", "boolean", "false", "", "Turns the admin API on."),
    Key::other("listen", "\"ADDRESS:PORT\"", "127.0.0.1:8053", "",
               "Where it listens (not loopback: a warning); at restart."),
    Key::other("token_file", "path", "", "at least 16 characters",
               "The bearer token; required when enabled, re-read at reload."),
    Key::other("metrics_token_file", "path", "", "at least 16 characters, not token_file's",
               "A read-only token: GET /metrics accepts it, every other route refuses it (403)."),
    Key::integer("history", 1, 1000, "20", "Probe results kept per endpoint for the status."),
    Key::other("state_file", "path", "", "",
               "Endpoint states and overrides are saved here and restored at start."),
    Key::integer("max_connections", 1, 10000, "64", "Admin connections at once."),
    Key::duration("request_timeout", std::chrono::milliseconds(100), std::chrono::minutes(10),
                  "10s", "To receive a whole request, idle time included."),
    Key::other("hosts", "list of strings", "", "",
               "Host header names answered besides IP literals and localhost."),
};
const KeyTable admin_keys{"[admin]", "The admin HTTP API, the status page and the metrics.",
                          k_admin_keys};

namespace {

// Leading and trailing whitespace (a newline from `echo > file`) is not part of the token.
std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// A bearer token from the file named by `key`: resolved, read with the secret-file checks
// (owner, mode), trimmed and at least 16 characters. The file's text is wiped either way.
void read_token_file(Section& s, const LoadContext& ctx, std::string_view key,
                     const std::optional<std::string>& name, std::string& file,
                     routing::Secret& token) {
  if (!name) return;
  file = ctx.resolve(*name);
  std::string text, why;
  if (!ctx.read_secret(file, text, &why)) {
    routing::cleanse(text);
    s.error(key, why);
    return;
  }
  const std::string_view trimmed_token = trimmed(text);
  if (trimmed_token.size() < 16)
    s.error(key,
            fmt::format("the token in {} must be at least 16 characters long", in_quotes(*name)));
  else
    token = routing::Secret(trimmed_token);
  routing::cleanse(text);
}

void read_token(Section& s, const LoadContext& ctx, AdminConfig& admin) {
  const auto name = s.string("token_file");
  if (!name && admin.enabled && s.clean())
    s.error("token_file",
            "is required when the admin API is enabled (a file holding the bearer token)");
  read_token_file(s, ctx, "token_file", name, admin.token_file, admin.token);
  // The read-only token for /metrics: it must not also be the admin token, or a scraper would
  // hold the keys to everything.
  read_token_file(s, ctx, "metrics_token_file", s.string("metrics_token_file"),
                  admin.metrics_token_file, admin.metrics_token);
  if (!admin.metrics_token.empty() && !admin.token.empty() &&
      admin.metrics_token.reveal() == admin.token.reveal())
    s.error("metrics_token_file", "must hold a different token from token_file");
}

// The HTTP server's limits against idle and slow clients, and the names it answers to.
void read_limits(Section& s, AdminConfig& admin) {
  admin.max_connections =
      static_cast<unsigned>(s.integer("max_connections").value_or(admin.max_connections));
  admin.request_timeout = s.duration("request_timeout").value_or(admin.request_timeout);
  const auto hosts = s.strings("hosts", false);
  if (!hosts) return;
  for (const auto& item : *hosts) {
    std::string name = item.value;
    if (!name.empty() && name.back() == '.') name.pop_back();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name.empty() || name.find_first_of(":/[] \t") != std::string::npos)
      s.error_at(
          item.line, item.key,
          fmt::format("{} is not a host name (no port, scheme or path)", in_quotes(item.value)));
    else
      admin.hosts.push_back(std::move(name));
  }
}

}  // namespace

void read_admin(Section& root, const LoadContext& ctx, AdminConfig& admin) {
  const auto* table = root.table("admin");
  if (!table) return;
  Section s(root.diag(), *table, "admin", admin_keys);
  admin.enabled = s.boolean("enabled").value_or(false);
  if (const auto listen = s.string("listen")) {
    std::string why;
    const auto parsed = parse_host_port(*listen, &why);
    if (!parsed) {
      s.error("listen", fmt::format("bad address {}: {}", in_quotes(*listen), why));
    } else {
      admin.listen_address = parsed->ip.text;
      admin.listen_port = parsed->port;
    }
  }
  read_token(s, ctx, admin);
  admin.history = static_cast<std::size_t>(s.integer("history").value_or(20));
  if (const auto state = s.string("state_file")) {
    if (state->empty())
      s.error("state_file", "must name a file (leave the key out for no state file)");
    else
      admin.state_file = ctx.resolve(*state);
  }
  read_limits(s, admin);
  s.finish();
}

}  // namespace conf
