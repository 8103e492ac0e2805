// [[key]]: TSIG keys (RFC 8945) for zone transfers and, later, dynamic updates. The secret
// comes from a file (base64, or a BIND key file) or an environment variable, never from the
// TOML, and no message ever quotes it.
#include <fmt/format.h>

#include <cstdlib>

#include "conf/files.hh"
#include "conf/sections.hh"

namespace conf {
namespace {

// A BIND key file (`tsig-keygen` output) holds "key ... { ... };"; anything else is base64.
std::optional<std::string> secret_from_file(Section& k, const std::string& name,
                                            const dnsd::wire::Name& key_name,
                                            const LoadContext& ctx,
                                            std::optional<dnsd::tsig::Key>& bind_key) {
  const auto path = ctx.resolve(name);
  std::string text, why;
  if (!ctx.read_secret(path, text, &why)) {
    k.error("secret_file", why);
    return std::nullopt;
  }
  if (text.find('{') == std::string::npos) return text;
  const auto keys = dnsd::tsig::parse_key_file(text, path, &why);
  if (!keys) {
    k.error("secret_file", why);
    return std::nullopt;
  }
  for (const auto& key : *keys)
    if (key.name.lowercased() == key_name.lowercased()) {
      bind_key = key;  // the key file's algorithm and secret stand
      return std::string{};
    }
  k.error("secret_file",
          fmt::format("the key file {} has no key named {}", in_quotes(path), key_name.to_text()));
  return std::nullopt;
}

std::optional<dnsd::tsig::Key> read_key(Section& k, const LoadContext& ctx) {
  if (k.has("secret")) {
    k.consume("secret");
    k.error("secret",
            "a TSIG secret may not be written in the config (expected secret_file = \"path\" or "
            "secret_env = \"VARIABLE\")");
  }
  std::optional<dnsd::wire::Name> name;
  if (const auto text = k.string("name", Need::required)) {
    std::string why;
    name = dnsd::wire::Name::from_text(*text, nullptr, &why);
    if (!name) k.error("name", fmt::format("bad key name {}: {}", in_quotes(*text), why));
  }
  const auto algorithm = k.string("algorithm").value_or("hmac-sha256");
  if (!dnsd::tsig::algorithm_from_text(algorithm))
    k.error("algorithm",
            fmt::format("unknown TSIG algorithm {} (expected hmac-sha256, hmac-sha384, "
                        "hmac-sha512 or hmac-sha1)",
                        in_quotes(algorithm)));
  const auto env = k.string("secret_env");
  const auto file = k.string("secret_file");
  if (env.has_value() == file.has_value()) {
    if (!k.has("secret") || env)
      k.error(env ? "secret_file" : "secret_env",
              "a key needs exactly one of secret_file or secret_env");
    return std::nullopt;
  }
  if (!name || !k.clean()) return std::nullopt;
  std::string secret;
  if (env) {
    const char* value = std::getenv(env->c_str());
    if (!value) {
      k.error("secret_env", fmt::format("environment variable {} is not set", in_quotes(*env)));
      return std::nullopt;
    }
    secret = value;
  } else {
    std::optional<dnsd::tsig::Key> bind_key;
    auto text = secret_from_file(k, *file, *name, ctx, bind_key);
    if (!text) return std::nullopt;
    if (bind_key) return bind_key;
    secret = std::move(*text);
  }
  std::string why;
  auto key = dnsd::tsig::make_key(name->to_text(), algorithm, secret, &why);
  if (!key) {
    k.error(env ? "secret_env" : "secret_file", fmt::format("bad secret: {}", why));
    return std::nullopt;
  }
  if (key->secret.empty()) {
    k.error(env ? "secret_env" : "secret_file", "the secret is empty");
    return std::nullopt;
  }
  return key;
}

}  // namespace

dnsd::tsig::Keyring read_keys(Section& root, const LoadContext& ctx) {
  std::vector<dnsd::tsig::Key> keys;
  const auto* list = root.tables("key");
  if (!list) return {};
  for (std::size_t i = 0; i < list->size(); ++i) {
    Section k(ctx.diag, *list->get(i)->as_table(), fmt::format("key[{}]", i),
              {"name", "algorithm", "secret_file", "secret_env"});
    if (auto key = read_key(k, ctx)) {
      bool repeated = false;
      for (const auto& earlier : keys) repeated = repeated || earlier.name == key->name;
      if (repeated)
        k.error("name", fmt::format("key {} is already defined", key->name.to_text()));
      else
        keys.push_back(std::move(*key));
    }
    k.finish();
  }
  return dnsd::tsig::Keyring(std::move(keys));
}

}  // namespace conf
