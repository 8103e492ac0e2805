// [cookies]: whether DNS Cookies are answered, and the server secret and the one before it
// (RFC 9018 §4.3 rollover). The secrets are read here, once per load, so a reload rotates them;
// no message ever quotes a file's content.
#include <fmt/format.h>

#include "conf/files.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [cookies] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_cookies_keys[] = {
    Key::other("enabled", "boolean", "true", "", "false ignores the COOKIE option."),
    Key::other("secret_file", "path", "", "32 hex digits",
               "The 16-byte server secret (absent: a random secret per start)."),
    Key::other("previous_secret_file", "path", "", "32 hex digits",
               "A secret still accepted during a rollover (needs secret_file)."),
};
const KeyTable cookies_keys{"[cookies]", "DNS Cookies (RFC 7873, RFC 9018 server cookies).",
                            k_cookies_keys};

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 32 hex digits, optionally after "0x" (as Knot's mod-cookies writes it), with surrounding
// whitespace allowed (a newline from `echo > file`).
std::optional<dnsd::cookies::Secret> parse_secret(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  std::string_view hex(text.data() + first, last - first + 1);
  if (hex.starts_with("0x") || hex.starts_with("0X")) hex.remove_prefix(2);
  if (hex.size() != 32) return std::nullopt;
  dnsd::cookies::Secret secret{};
  for (std::size_t i = 0; i < secret.size(); ++i) {
    const int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    secret[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return secret;
}

std::optional<dnsd::cookies::Secret> read_secret(Section& s, const LoadContext& ctx,
                                                 std::string_view key) {
  const auto name = s.string(key);
  if (!name) return std::nullopt;
  std::string text, why;
  if (!ctx.read_secret(ctx.resolve(*name), text, &why)) {
    s.error(key, why);
    return std::nullopt;
  }
  auto secret = parse_secret(text);
  if (!secret)
    s.error(key, fmt::format("{} must hold a 16-byte secret as 32 hex digits", in_quotes(*name)));
  return secret;
}

}  // namespace

void read_cookies(Section& root, const LoadContext& ctx, CookiesSection& cookies) {
  const auto* table = root.table("cookies");
  if (!table) return;
  Section s(root.diag(), *table, "cookies", cookies_keys);
  cookies.enabled = s.boolean("enabled").value_or(true);
  cookies.secret = read_secret(s, ctx, "secret_file");
  cookies.previous_secret = read_secret(s, ctx, "previous_secret_file");
  if (cookies.previous_secret && !s.has("secret_file"))
    s.error("previous_secret_file", "needs secret_file (the secret that replaced it)");
  s.finish();
}

}  // namespace conf
