// [[monitor.header]]: extra request headers such as Authorization. Values are credentials, so
// they come from the environment or a file, never from the TOML, and never appear in a message.
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "conf/files.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [[profile.monitor.header]] (key_table.hh): what the reader accepts and the reference
// prints.
constexpr Key k_header_keys[] = {
    Key::other("name", "string", "", "an HTTP token, not Host", "The header name (required)."),
    Key::other("value_env", "string", "", "", "The environment variable holding the value."),
    Key::other("value_file", "path", "", "",
               "Or: a secret file holding the value (a trailing newline is dropped)."),
};
const KeyTable header_keys{
    "[[profile.monitor.header]]",
    "A probe request header; its value comes from the environment or a file, never the TOML.",
    k_header_keys};

namespace {

// RFC 9110 §5.6.2 token characters.
bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
    if (!ok || c == '\0') return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Values go straight into a Secret, whose buffer is the only copy left once the load is done.
std::optional<routing::Secret> value_from_env(Section& h, const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  if (!value) {
    h.error("value_env", fmt::format("environment variable {} is not set", in_quotes(variable)));
    return std::nullopt;
  }
  return routing::Secret(std::string_view(value));
}

std::optional<routing::Secret> value_from_file(Section& h, const std::string& name,
                                               const LoadContext& ctx) {
  const auto path = ctx.resolve(name);
  std::string value, why;
  if (!ctx.read_secret(path, value, &why)) {
    routing::cleanse(value);  // a partial read may have left some of it
    h.error("value_file", why);
    return std::nullopt;
  }
  // Editors end files with a newline; it is not part of the secret.
  std::string_view text(value);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  routing::Secret secret(text);
  routing::cleanse(value);
  return secret;
}

std::optional<routing::Header> read_header(Section& h, const LoadContext& ctx) {
  const bool clear_text = h.has("value");
  if (clear_text) {
    h.consume("value");
    h.error("value",
            "a header value may not be written in the config in clear text (expected "
            "value_env = \"VARIABLE\" or value_file = \"path\")");
  }
  const auto name = h.string("name", Need::required);
  if (name && !is_token(*name))
    h.error("name", fmt::format("bad header name {} (expected letters, digits and !#$%&'*+-.^_`|~)",
                                in_quotes(*name)));
  else if (name && iequals(*name, "Host"))
    h.error("name", "set the Host header with host_header, not as a [[header]]");
  const auto env = h.string("value_env");
  const auto file = h.string("value_file");
  if (env.has_value() == file.has_value()) {
    // With a clear-text value, the message above already says what to write instead.
    if (!clear_text || env)
      h.error(env ? "value_file" : "value_env",
              "a header needs exactly one of value_env or value_file");
    return std::nullopt;
  }
  const auto value = env ? value_from_env(h, *env) : value_from_file(h, *file, ctx);
  if (!value) return std::nullopt;
  const auto source = env ? "value_env" : "value_file";
  if (value->empty()) {
    h.error(source, "the header value is empty");
    return std::nullopt;
  }
  if (value->reveal().find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    h.error(source, "the header value contains a line break or a NUL byte");
    return std::nullopt;
  }
  if (!name || !h.clean()) return std::nullopt;
  return routing::Header{*name, *value};
}

}  // namespace

std::optional<std::vector<routing::Header>> read_headers(Section& monitor, const LoadContext& ctx) {
  const auto* list = monitor.tables("header");
  if (!list) return std::nullopt;
  std::vector<routing::Header> headers;
  for (std::size_t i = 0; i < list->size(); ++i) {
    Section h(ctx.diag, *list->get(i)->as_table(), fmt::format("{}[{}]", monitor.key("header"), i),
              header_keys);
    if (auto header = read_header(h, ctx)) headers.push_back(std::move(*header));
    h.finish();
  }
  return headers;
}

}  // namespace conf
