// [admin]: the admin API's listen address and bearer token, the probe history length and the
// state file. The token is read here, once per load, so a reload rotates it.
#include <fmt/format.h>

#include "conf/address.hh"
#include "conf/files.hh"
#include "conf/sections.hh"

namespace conf {
namespace {

// Leading and trailing whitespace (a newline from `echo > file`) is not part of the token.
std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

void read_token(Section& s, const LoadContext& ctx, AdminConfig& admin) {
  const auto name = s.string("token_file");
  if (!name) {
    if (admin.enabled && s.clean())
      s.error("token_file",
              "is required when the admin API is enabled (a file holding the bearer token)");
    return;
  }
  admin.token_file = ctx.resolve(*name);
  std::string text, why;
  if (!ctx.read_secret(admin.token_file, text, &why)) {
    s.error("token_file", why);
    return;
  }
  const std::string token = trimmed(text);
  if (token.size() < 16) {
    s.error("token_file",
            fmt::format("the token in {} must be at least 16 characters long", in_quotes(*name)));
    return;
  }
  admin.token = routing::Secret(token);
}

}  // namespace

void read_admin(Section& root, const LoadContext& ctx, AdminConfig& admin) {
  const auto* table = root.table("admin");
  if (!table) return;
  Section s(root.diag(), *table, "admin",
            {"enabled", "listen", "token_file", "history", "state_file"});
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
  admin.history = static_cast<std::size_t>(s.integer("history", 1, 1000).value_or(20));
  if (const auto state = s.string("state_file")) {
    if (state->empty())
      s.error("state_file", "must name a file (leave the key out for no state file)");
    else
      admin.state_file = ctx.resolve(*state);
  }
  s.finish();
}

}  // namespace conf
