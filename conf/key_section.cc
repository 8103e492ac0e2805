// [[key]]: TSIG keys (RFC 8945) for zone transfers and dynamic updates (the update_* keys: the
// key's update policy, dnsd/update/policy.hh). The secret comes from a file (base64, or a BIND
// key file) or an environment variable, never from the TOML, and no message ever quotes it.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "conf/files.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"
#include "dnsd/wire/types.hh"

namespace conf {

// The keys of [[key]] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_key_keys[] = {
    Key::other("name", "domain name", "", "", "The key's name (required)."),
    Key::other("algorithm", "string", "hmac-sha256",
               "hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha1", "The HMAC algorithm."),
    Key::other("secret_file", "path", "", "",
               "The base64 secret, or a BIND key file (secret_env or secret_file)."),
    Key::other("secret_env", "string", "", "",
               "The environment variable holding the base64 secret."),
    Key::other("update_zones", "list of domain names", "", "[[zone]] names",
               "Zones this key may change by dynamic update."),
    Key::other("update_names", "list of names", "[\"_acme-challenge\"]", "",
               "Owner names the key may change, each with every name below it."),
    Key::other("update_types", "list of strings", "[\"TXT\"]", "not SOA or meta types",
               "Types the key may add or delete."),
    Key::integer("update_max_records", 1, 100'000, "100",
                 "Records added through the key held at once, per zone."),
    Key::integer("update_ttl_min", 0, 2147483647, "0", "Lowest TTL of an added record."),
    Key::integer("update_ttl_max", 0, 2147483647, "86400", "Highest TTL of an added record."),
    Key::integer("update_rate", 1, 100'000, "60", "Updates a minute; over it: REFUSED."),
    Key::duration("update_expire", std::chrono::seconds(1), std::chrono::hours(24 * 365), "",
                  "Records the key adds are removed after this long (absent: kept)."),
};
const KeyTable key_keys{"[[key]]",
                        "TSIG keys (RFC 8945) and the dynamic updates (RFC 2136) each may make.",
                        k_key_keys};

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

constexpr std::string_view k_update_keys[] = {
    "update_zones",   "update_names",   "update_types", "update_max_records",
    "update_ttl_min", "update_ttl_max", "update_rate",  "update_expire"};

// The update_* keys of one [[key]]: none, or a policy with update_zones naming its zones.
void read_update_policy(Section& k, const dnsd::wire::Name& key_name, UpdatePolicies& out) {
  const bool any = std::any_of(std::begin(k_update_keys), std::end(k_update_keys),
                               [&](std::string_view name) { return k.has(name); });
  if (!any) return;
  dnsd::update::Policy policy;
  policy.key = key_name.lowercased();
  const auto zones = k.strings("update_zones", true, Need::required);
  if (!zones) return;
  std::vector<Section::Item> zone_items;
  for (const auto& item : *zones) {
    std::string why;
    const auto name = dnsd::wire::Name::from_text(item.value, nullptr, &why);
    if (!name) {
      k.error_at(item.line, item.key,
                 fmt::format("bad zone name {}: {}", in_quotes(item.value), why));
      continue;
    }
    policy.zones.push_back(name->lowercased());
    zone_items.push_back(item);
  }
  if (const auto names = k.strings("update_names", true)) {
    policy.names.clear();
    const dnsd::wire::Name root;
    for (const auto& item : *names) {
      std::string why;
      if (!dnsd::wire::Name::from_text(item.value, &root, &why))
        k.error_at(item.line, item.key, fmt::format("bad name {}: {}", in_quotes(item.value), why));
      policy.names.push_back(item.value);
    }
  }
  if (const auto types = k.strings("update_types", true)) {
    policy.types.clear();
    for (const auto& item : *types) {
      const auto type = dnsd::wire::type_from_text(item.value);
      if (!type || dnsd::wire::is_meta_type(*type) || *type == dnsd::wire::rrtype::soa)
        k.error_at(item.line, item.key,
                   fmt::format("{} cannot be updated (expected a record type such as TXT, A, "
                               "AAAA, CNAME; not SOA or a meta type)",
                               in_quotes(item.value)));
      else
        policy.types.push_back(*type);
    }
  }
  policy.max_records =
      static_cast<std::size_t>(k.integer("update_max_records").value_or(policy.max_records));
  policy.ttl_min = static_cast<std::uint32_t>(k.integer("update_ttl_min").value_or(0));
  policy.ttl_max = static_cast<std::uint32_t>(k.integer("update_ttl_max").value_or(86400));
  if (policy.ttl_min > policy.ttl_max)
    k.error("update_ttl_max", fmt::format("is below update_ttl_min ({})", policy.ttl_min));
  policy.rate = static_cast<unsigned>(k.integer("update_rate").value_or(policy.rate));
  if (const auto expire = k.duration("update_expire"))
    policy.expire = std::chrono::duration_cast<std::chrono::seconds>(*expire);
  out.policies.push_back(std::move(policy));
  out.zone_items.push_back(std::move(zone_items));
}

}  // namespace

void check_update_zones(const UpdatePolicies& policies, const dnsd::zone::ZoneSet& zones,
                        Diagnostics& diag) {
  for (std::size_t p = 0; p < policies.policies.size(); ++p) {
    const auto& policy = policies.policies[p];
    for (std::size_t z = 0; z < policy.zones.size(); ++z) {
      bool served = false;
      for (const auto& zone : zones.zones())
        served = served || zone->origin().lowercased() == policy.zones[z];
      const auto& item = policies.zone_items[p][z];
      if (!served)
        diag.add(item.line, item.key,
                 fmt::format("zone {} is not a [[zone]] of this config", in_quotes(item.value)));
    }
  }
}

dnsd::tsig::Keyring read_keys(Section& root, const LoadContext& ctx, UpdatePolicies* policies) {
  std::vector<dnsd::tsig::Key> keys;
  const auto* list = root.tables("key");
  if (!list) return {};
  for (std::size_t i = 0; i < list->size(); ++i) {
    Section k(ctx.diag, *list->get(i)->as_table(), fmt::format("key[{}]", i), key_keys);
    if (auto key = read_key(k, ctx)) {
      if (policies) read_update_policy(k, key->name, *policies);
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
