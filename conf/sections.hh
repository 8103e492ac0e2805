// The readers of each part of the config file, called in order by config.cc. Internal to conf/.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "conf/config.hh"
#include "conf/errors.hh"
#include "conf/files.hh"
#include "conf/toml_section.hh"
#include "dnsd/zone/zone.hh"
#include "routing/model.hh"

namespace conf {

struct LoadContext {
  Diagnostics& diag;
  std::filesystem::path dir;   // relative file names in the config start here
  const FileLimits& limits;    // [server]'s, read first
  const SecretFiles& secrets;  // every secret file the config names, found before any is read
  bool allow_plain_http_credentials = true;  // [server], read before any monitor

  // `name` relative to the config's directory, as it is opened and named in errors.
  std::string resolve(const std::string& name) const {
    return (dir / name).lexically_normal().string();
  }
  // A secret file's content (files.hh read_secret_file), with a loose mode or a symlink
  // reported once as a warning, or as an error under strict_secret_files.
  bool read_secret(const std::string& path, std::string& text, std::string* why) const {
    std::string warning;
    const bool ok = read_secret_file(path, text, why, limits.strict_secret_files, &warning);
    if (!warning.empty()) diag.warn(std::move(warning));
    return ok;
  }
};

// The names of keys whose value is a secret file ([admin] token_file and metrics_token_file,
// [[key]] secret_file, [cookies] secret_file and previous_secret_file, header value_file,
// monitor client_key_file), wherever they appear in the TOML.
SecretFiles find_secret_files(const toml::table& root, const std::filesystem::path& dir);

// log_level, [server] and [resolver].
LogLevel read_log_level(Section& root);
// probe_source: [server] probe_source_ipv4/_ipv6, which belong to the routing model.
void read_server(Section& root, ServerSection& server, routing::ProbeSource& probe_source);
void read_resolver(Section& root, routing::ResolverSettings& resolver);
// [cookies] (cookies_section.cc).
void read_cookies(Section& root, const LoadContext& ctx, CookiesSection& cookies);
// [rrl] (rrl_section.cc).
void read_rrl(Section& root, RrlSection& rrl);
// [dnstap] (dnstap_section.cc).
void read_dnstap(Section& root, const LoadContext& ctx, dnsd::dnstap::Settings& dnstap);
// [xdp] (xdp_section.cc).
void read_xdp(Section& root, XdpSection& xdp);
// [admin] (admin_section.cc).
void read_admin(Section& root, const LoadContext& ctx, AdminConfig& admin);

// [fleet] (fleet_section.cc).
void read_fleet(Section& root, const LoadContext& ctx, FleetSection& fleet);

// [[key]] (key_section.cc): TSIG keys, secrets from files or the environment.
// [[key]] update_* keys: each policy with the config items of its zones (for errors).
struct UpdatePolicies {
  std::vector<dnsd::update::Policy> policies;
  std::vector<std::vector<Section::Item>> zone_items;
};
dnsd::tsig::Keyring read_keys(Section& root, const LoadContext& ctx,
                              UpdatePolicies* policies = nullptr);
// Every update_zones entry must be a zone of the config (checked once the zones are built).
void check_update_zones(const UpdatePolicies& policies, const dnsd::zone::ZoneSet& zones,
                        Diagnostics& diag);
// [[zone.transfer]] of every [[zone]] (transfer_section.cc); keys named must be in `keys`.
std::vector<ZoneTransfer> read_transfers(Section& root, const LoadContext& ctx,
                                         const dnsd::tsig::Keyring& keys);
// One list of transfer entries: `node` is the value of a "transfer" key (null when absent),
// `path` its dotted key ("zone[0].transfer"), `header` what the file writes ("zone.transfer").
dnsd::xfr::Acl read_transfer_list(const toml::node* node, const std::string& path,
                                  std::string_view header, const LoadContext& ctx,
                                  const dnsd::tsig::Keyring& keys);

// [[secondary]] (secondary_section.cc); keys named must be in `keys`.
std::vector<SecondarySection> read_secondaries(Section& root, const LoadContext& ctx,
                                               const dnsd::tsig::Keyring& keys);

// A [[zone.record]] name as written, for record_placement.cc's warnings.
struct RecordSite {
  std::string text;  // "www", "www.example.org.", "@"
  dnsd::wire::Name owner;
  std::size_t line = 0;
  std::string key;  // "zone[1].record[0].name"
};

// One [[zone]] whose records are in its builder; profiles are added before it is built.
struct ZoneDraft {
  std::size_t index = 0;
  dnsd::wire::Name origin;
  std::string name_key;  // "zone[0].name": where whole-zone errors are reported
  std::size_t name_line = 0;
  dnsd::zone::ZoneBuilder builder;
  // False when the SOA or the apex NS is missing; build() would only repeat what was reported.
  bool buildable = true;
  std::size_t records = 0;               // added to the builder, for the reload's record-drop guard
  unsigned max_record_drop = 50;         // percent: [[zone]] max_record_drop, else [server]'s
  std::vector<RecordSite> record_sites;  // its [[zone.record]] names
  std::vector<dnsd::wire::Name> name_server;     // its apex NS targets and SOA mname
  bool has_master_file = false;                  // records the TOML does not show
  std::optional<dnsd::dnssec::ZoneKeys> dnssec;  // [zone.dnssec]: the zone is signed
};
std::vector<ZoneDraft> read_zones(Section& root, const LoadContext& ctx);
// [zone.dnssec] (dnssec_section.cc): keys read, their DNSKEY/CDS/CDNSKEY added to the apex.
void read_zone_dnssec(Section& zone, const LoadContext& ctx, ZoneDraft& draft, std::uint32_t ttl);

// [catalog] (catalog_section.cc), checked against the zones and ACLs read; the zone itself is
// built by load.cc once the other zones are.
struct CatalogDraft {
  CatalogConfig settings;
  dnsd::xfr::Acl acl;    // [[catalog.transfer]]
  std::string name_key;  // "catalog.name": where errors of the built catalog are reported
  std::size_t name_line = 0;
};
std::optional<CatalogDraft> read_catalog(Section& root, const LoadContext& ctx,
                                         const std::vector<ZoneDraft>& zones,
                                         const std::vector<ZoneTransfer>& transfers,
                                         const dnsd::tsig::Keyring& keys);

// Where a [[profile]] is named, for attaching it to its zone.
struct ProfileSite {
  routing::ProfileId id = 0;
  std::optional<dnsd::wire::Name> owner;  // unset when the name itself was bad
  std::string name_key;
  std::size_t name_line = 0;
};
// Fills model.profiles (ProfileId = position) and model.endpoint_count, and each profile's
// transfer keys into `transfers` (by ProfileId).
std::vector<ProfileSite> read_profiles(Section& root, const LoadContext& ctx, routing::Model& model,
                                       std::vector<publish::ProfileTransfer>& transfers);

// The TOML trap (record_placement.cc): a [[zone.record]] belongs to the [[zone]] written last
// above it, so one added at the end of the file lands in the last zone. Warns where a record's
// name looks meant for another zone or profile.
void warn_misplaced_records(const std::vector<ZoneDraft>& zones,
                            const std::vector<ProfileSite>& profiles, Diagnostics& diag);

// [publish] and a [[profile]]'s transfer keys (publish_section.cc).
void read_publish(Section& root, const LoadContext& ctx, publish::Settings& settings);
void read_profile_transfer(Section& profile_section, const routing::Profile& profile,
                           publish::ProfileTransfer& transfer);

// A monitor being assembled: the profile's, then copied and overridden per endpoint.
struct MonitorDraft {
  routing::MonitorSpec spec;
  bool port_set = false;     // else the protocol's port (443 / 80; tcp has none)
  bool timeout_set = false;  // else min(10s, interval / 2)
  // Cross-field checks run only on fields that parsed, so one mistake gives one message.
  bool timing_clean = true;  // interval and timeout
  bool files_clean = true;   // client_cert and client_key
};
MonitorDraft default_monitor();
// Applies the keys of one monitor table (path e.g. "profile[0].monitor") onto `draft`.
void apply_monitor(const toml::table& table, const std::string& path, const LoadContext& ctx,
                   MonitorDraft& draft);
// Fills the derived defaults and checks the fields against each other; errors go to `path`
// (at the key's line in `table` if it has it, else at `line`).
routing::MonitorSpec finish_monitor(MonitorDraft draft, const std::string& path, std::size_t line,
                                    const toml::table* table, const LoadContext& ctx);

// [[...monitor.header]]: names and secret values (from the environment or a file, never the TOML).
std::optional<std::vector<routing::Header>> read_headers(Section& monitor, const LoadContext& ctx);

}  // namespace conf
