// load_file / load_string: TOML text -> validated Config, in one pass that collects every
// error. The steps: parse, top-level keys, [server], [resolver], [[key]], [[zone]] (and their
// [[zone.transfer]]), [catalog], [[profile]], then profiles attached to their zones, every zone
// built, and the catalog zone built from them. Nothing throws out of here.
#include "conf/load.hh"

#include <fmt/format.h>

#include "conf/files.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"
#include "dnsd/zone/catalog.hh"

namespace conf {

// The keys of the top level (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_root_keys[] = {
    Key::other("log_level", "string", "info", "debug, info, warning, error",
               "What is written to the log."),
    Key::other("server", "table", "", "", "[server]: listening, limits, files."),
    Key::other("resolver", "table", "", "", "[resolver]: the DNS servers probes ask."),
    Key::other("admin", "table", "", "", "[admin]: the admin HTTP API, status page and metrics."),
    Key::other("key", "array of tables", "", "", "[[key]]: TSIG keys and update policies."),
    Key::other("zone", "array of tables", "", "at least one", "[[zone]]: the zones served."),
    Key::other("profile", "array of tables", "", "", "[[profile]]: the health-routed names."),
    Key::other("publish", "table", "", "", "[publish]: serials and IXFR journals of decisions."),
    Key::other("secondary", "array of tables", "", "", "[[secondary]]: secondaries to NOTIFY."),
    Key::other("catalog", "table", "", "", "[catalog]: a catalog zone of the zones."),
    Key::other("cookies", "table", "", "", "[cookies]: DNS Cookies (RFC 7873)."),
    Key::other("rrl", "table", "", "", "[rrl]: response rate limiting."),
    Key::other("fleet", "table", "", "", "[fleet]: instances sharing health through etcd."),
    Key::other("dnstap", "table", "", "", "[dnstap]: query logging."),
    Key::other("xdp", "table", "", "", "[xdp]: the AF_XDP UDP path."),
};
const KeyTable root_keys{"", "Keys outside any table, and the tables the file may hold.",
                         k_root_keys};

namespace {

// The zone a profile's name lies in: the closest enclosing one, as ZoneSet::find_enclosing does.
ZoneDraft* enclosing_zone(std::vector<ZoneDraft>& zones, const dnsd::wire::Name& owner) {
  ZoneDraft* best = nullptr;
  for (auto& zone : zones)
    if (owner.is_subdomain_of(zone.origin) && (!best || zone.origin.size() > best->origin.size()))
      best = &zone;
  return best;
}

void attach_profiles(std::vector<ZoneDraft>& zones, const std::vector<ProfileSite>& sites,
                     routing::Model& model, Diagnostics& diag) {
  for (const auto& site : sites) {
    if (!site.owner) continue;
    ZoneDraft* zone = enclosing_zone(zones, *site.owner);
    if (!zone) {
      std::vector<std::string> names;
      for (const auto& z : zones) names.push_back(z.origin.to_text());
      diag.add(site.name_line, site.name_key,
               fmt::format("{} is not inside any [[zone]] (expected a name in one of: {})",
                           site.owner->to_text(),
                           names.empty() ? "no zones" : fmt::format("{}", fmt::join(names, ", "))));
      continue;
    }
    // A CNAME may not sit at a zone apex (RFC 1034 §3.6.2), so an apex profile answers A/AAAA.
    if (site.owner->lowercased() == zone->origin.lowercased())
      model.profiles[site.id].flatten = true;
    auto problem = zone->builder.add_profile(*site.owner, site.id);
    if (!problem.empty()) diag.add(site.name_line, site.name_key, std::move(problem));
  }
}

void build_zones(std::vector<ZoneDraft>& drafts, dnsd::zone::ZoneSet& zones, Diagnostics& diag) {
  for (auto& draft : drafts) {
    if (!draft.buildable) continue;
    auto result = std::move(draft.builder).build();
    for (auto& problem : result.errors)
      diag.add(draft.name_line, draft.name_key, std::move(problem));
    if (result.zone && result.errors.empty()) zones.add(std::move(result.zone));
  }
}

// The catalog zone, once the zones it lists are built: one more zone, with its own ACL.
void build_catalog(std::optional<CatalogDraft> draft, Config& config, Diagnostics& diag) {
  if (!draft) return;
  auto result = dnsd::zone::build_catalog(draft->settings.origin, draft->settings.serial,
                                          draft->settings.members);
  for (auto& problem : result.errors)
    diag.add(draft->name_line, draft->name_key, std::move(problem));
  if (!result.zone || !result.errors.empty()) return;
  config.zones.add(std::move(result.zone));
  config.transfers.push_back(ZoneTransfer{draft->settings.origin, std::move(draft->acl)});
  config.catalog = std::move(draft->settings);
}

// The signed zones' keys, and the combination served bogus refused: a signed zone handed to
// secondaries by AXFR/IXFR. They would get its DNSKEY but no RRSIG or NSEC (dnsd signs as it
// answers, the signatures are not zone data), and a validator would reject their answers. Such
// secondaries should sign themselves, from an unsigned zone (README "Signing with DNSSEC").
void take_signed_zones(std::vector<ZoneDraft>& zones, const std::vector<ZoneTransfer>& transfers,
                       Config& config, Diagnostics& diag) {
  for (auto& zone : zones) {
    if (!zone.dnssec) continue;
    bool transferred = false;
    for (const auto& transfer : transfers)
      if (transfer.origin == zone.origin.lowercased() && !transfer.acl.entries.empty())
        transferred = true;
    if (transferred)
      diag.add(zone.name_line, fmt::format("zone[{}].dnssec", zone.index),
               "a signed zone cannot have [[zone.transfer]] entries: secondaries would serve its "
               "DNSKEY without signatures (bogus); transfer the zone unsigned and let the "
               "secondaries sign it, or serve it from dnsd alone");
    config.dnssec.push_back(std::move(*zone.dnssec));
  }
}

void walk_secret_files(const toml::node& node, const std::filesystem::path& dir,
                       SecretFiles& secrets) {
  if (const auto* table = node.as_table()) {
    for (const auto& [key, value] : *table) {
      const auto name = key.str();
      const bool secret = name == "token_file" || name == "metrics_token_file" ||
                          name == "secret_file" || name == "previous_secret_file" ||
                          name == "value_file" || name == "client_key_file" ||
                          name == "password_file" || name == "key_files";
      if (const auto* text = value.as_string(); secret && text)
        secrets.add((dir / text->get()).lexically_normal().string());
      else if (const auto* files = value.as_array(); files && name == "key_files")  // DNSSEC
        for (const auto& file : *files) {
          if (const auto* path = file.as_string())
            secrets.add((dir / path->get()).lexically_normal().string());
        }
      else
        walk_secret_files(value, dir, secrets);
    }
  } else if (const auto* array = node.as_array()) {
    for (const auto& value : *array) walk_secret_files(value, dir, secrets);
  }
}

LoadResult load_table(const toml::table& root_table, const std::string& path) {
  auto config = std::make_unique<Config>();
  config->path = path;
  Diagnostics diag(path);
  Section root(diag, root_table, "", root_keys);
  config->log_level = read_log_level(root);
  read_server(root, config->server, config->model.probe_source);
  const auto dir = std::filesystem::path(path).parent_path();
  // Known before any master file is read, so none of them can $INCLUDE a secret.
  const SecretFiles secrets = find_secret_files(root_table, dir);
  const LoadContext ctx{diag, dir, config->server.files, secrets,
                        config->server.allow_plain_http_credentials};
  if (!config->server.update_log.empty())
    config->server.update_log = ctx.resolve(config->server.update_log);
  read_cookies(root, ctx, config->server.cookies);
  read_rrl(root, config->rrl);
  read_dnstap(root, ctx, config->dnstap);
  read_xdp(root, config->xdp);
  read_resolver(root, config->model.resolver);
  read_admin(root, ctx, config->admin);
  read_fleet(root, ctx, config->fleet);
  UpdatePolicies update_policies;
  config->keys = read_keys(root, ctx, &update_policies);
  read_publish(root, ctx, config->publish);
  auto zones = read_zones(root, ctx);
  for (const auto& zone : zones)
    config->zone_records.push_back({zone.origin.lowercased(), zone.records, zone.max_record_drop,
                                    zone.name_key, zone.name_line});
  config->transfers = read_transfers(root, ctx, config->keys);
  take_signed_zones(zones, config->transfers, *config, diag);
  config->secondaries = read_secondaries(root, ctx, config->keys);
  auto catalog = read_catalog(root, ctx, zones, config->transfers, config->keys);
  const auto sites = read_profiles(root, ctx, config->model, config->publish.profiles);
  root.finish();
  warn_misplaced_records(zones, sites, diag);
  attach_profiles(zones, sites, config->model, diag);
  build_zones(zones, config->zones, diag);
  build_catalog(std::move(catalog), *config, diag);
  check_update_zones(update_policies, config->zones, diag);
  config->update_policies = std::move(update_policies.policies);
  LoadResult result;
  result.errors = diag.take();
  result.warnings = diag.take_warnings();
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

LoadResult single_error(const std::string& path, std::size_t line, std::string message) {
  LoadResult result;
  result.errors.push_back(Error{path, line, "", std::move(message)});
  return result;
}

}  // namespace

SecretFiles find_secret_files(const toml::table& root, const std::filesystem::path& dir) {
  SecretFiles secrets;
  walk_secret_files(root, dir, secrets);
  return secrets;
}

LoadResult load_string(std::string_view toml_text, const std::string& path) {
  try {
    toml::table table;
    try {
      table = toml::parse(toml_text, path);
    } catch (const toml::parse_error& e) {
      return single_error(path, e.source().begin.line,
                          syntax_error_message(e.description(), e.source().begin.column));
    }
    return load_table(table, path);
  } catch (const std::exception& e) {
    // Our own bug or out of memory: still an error report, never a crash of --check-config.
    return single_error(path, 0,
                        fmt::format("internal error while loading the config: {}", e.what()));
  }
}

LoadResult load_file(const std::string& path) {
  try {
    std::string text, why;
    if (!read_file(path, text, &why))
      return single_error(path, 0, fmt::format("cannot read the config file: {}", why));
    return load_string(text, path);
  } catch (const std::exception& e) {
    return single_error(path, 0,
                        fmt::format("internal error while loading the config: {}", e.what()));
  }
}

}  // namespace conf
