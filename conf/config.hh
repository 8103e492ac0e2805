// conf: the validated Config that dnsd's TOML config (and the RFC 1035 master files it names)
// is read into. Types only: the loader that fills them is conf/load.hh.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnsd/cookies.hh"
#include "dnsd/dnssec/zone_keys.hh"
#include "dnsd/dnstap/settings.hh"
#include "dnsd/tsig/key.hh"
#include "dnsd/update/policy.hh"
#include "dnsd/xfr/acl.hh"
#include "dnsd/zone/zone.hh"
#include "fleet/rule.hh"
#include "publish/settings.hh"
#include "routing/model.hh"
#include "routing/secret.hh"

namespace conf {

enum class LogLevel { debug, info, warning, error };
// [server] log_format: "text" (a timestamp, or the journal's priority, then the message) or
// "json" (one object per line, for log shippers). Read at start; a reload does not change it.
enum class LogFormat { text, json };

// [server]: how dnsd listens and answers, as the config file says it (defaults are the file's
// defaults, see README). control/ turns it into the servers' dnsd::ServerConfig; conf/ does not
// see dnsd's engine or servers.
struct ListenAddress {
  std::string address;  // "127.0.0.1", "::1"
  std::uint16_t port = 53;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// [cookies]: DNS Cookies (RFC 7873) and the server secret (RFC 9018). Secrets come from files
// (32 hex digits) and are never printed; without secret_file dnsd picks a random one at start.
struct CookiesSection {
  bool enabled = true;
  std::optional<dnsd::cookies::Secret> secret;           // secret_file
  std::optional<dnsd::cookies::Secret> previous_secret;  // previous_secret_file: still accepted
};

// [server] bounds on the files a config names, and how secret files are checked (README
// "Files"). A reload never reads more than these allow.
struct FileLimits {
  std::size_t max_zone_file_size = std::size_t{64} << 20;  // bytes, per master file
  std::size_t max_zone_records = 1'000'000;                // per master file, $INCLUDEs too
  std::size_t max_zone_line_length = 65'536;               // bytes, per master-file line
  unsigned max_record_drop = 50;     // percent of a zone's records a reload may drop (100: any)
  bool strict_secret_files = false;  // a loose mode or a symlink is an error, not a warning
};

struct ServerSection {
  std::vector<ListenAddress> listen{{"127.0.0.1", 5353}};  // each is served over UDP and TCP
  unsigned workers = 1;                                    // UDP worker threads
  std::uint16_t udp_payload = 1232;  // largest EDNS UDP response we send (DNS flag day 2020)
  std::chrono::milliseconds tcp_idle_timeout{10'000};
  std::chrono::milliseconds tcp_io_timeout{500};
  unsigned tcp_max_connections = 256;
  unsigned tcp_max_connections_per_client = 32;
  std::optional<std::string> chaos_version;   // version.bind / version.server (RFC 4892)
  std::optional<std::string> chaos_identity;  // id.server / hostname.bind
  std::optional<std::string> user;            // the user to drop root to, once bound
  unsigned max_transfers = 10;                // zone transfers (AXFR/IXFR) at once; more: REFUSED
  // The dynamic updates' log (RFC 2136; control/update_log.hh); empty: updates are kept in
  // memory only, lost at a restart (a warning at start says so when a key may update).
  std::string update_log;
  // Core dumps hold every secret in memory: off unless asked for (service/hardening.hh).
  bool core_dumps = false;
  LogFormat log_format = LogFormat::text;
  // Header values (credentials) over plain http: allowed with a warning per endpoint, or a
  // config error when false.
  bool allow_plain_http_credentials = true;
  CookiesSection cookies;  // from [cookies] (cookies_section.cc)
  FileLimits files;
};

// How many records a [[zone]] was loaded with, for the reload's record-drop guard.
struct ZoneRecordCount {
  dnsd::wire::Name origin;        // lower-cased
  std::size_t records = 0;        // from the TOML and the master file; profiles not counted
  unsigned max_record_drop = 50;  // percent; the zone's own or [server]'s
  std::string name_key;           // "zone[0].name", where a guard error is reported
  std::size_t name_line = 0;
};

// [xdp]: the AF_XDP UDP path (README "AF_XDP mode"). Off by default; read at start only.
struct XdpSection {
  std::string interface;              // empty: off
  std::optional<std::uint16_t> port;  // absent: the first [server] listen port
  unsigned queues = 1;
};

// [rrl]: response rate limiting of UDP responses (README "Rate limiting"). Off by default.
struct RrlSection {
  bool enabled = false;
  unsigned rate = 20;               // responses per second per bucket
  std::chrono::seconds window{15};  // how long a source over the rate stays limited
  unsigned slip = 2;                // every slip-th limited response sent truncated; 0: none
  std::uint8_t ipv4_prefix = 24, ipv6_prefix = 56;
  std::vector<routing::AddressRange> exempt;
  std::size_t table_size = 262'144;  // buckets (read at start)
};

// [admin]: the admin HTTP API and what the operator tooling keeps. Off unless enabled.
struct AdminConfig {
  bool enabled = false;
  std::string listen_address = "127.0.0.1";  // loopback unless configured otherwise
  std::uint16_t listen_port = 8053;
  routing::Secret token;   // read from token_file; never printed
  std::string token_file;  // as resolved against the config's directory
  // Optional read-only token: accepted by GET /metrics only (a Prometheus scraper's), refused by
  // every other route. Empty: /metrics takes the admin token alone.
  routing::Secret metrics_token;
  std::string metrics_token_file;
  std::size_t history = 20;  // probe results kept per endpoint for the status
  std::string state_file;    // empty: no state file
  // Abuse limits of the API's HTTP server, fixed at start (a reload does not move them).
  unsigned max_connections = 64;                      // more: the oldest idle one is closed
  std::chrono::milliseconds request_timeout{10'000};  // to receive a whole request, idle included
  // Host header names the API answers besides IP literals and localhost (DNS rebinding);
  // lower-cased, without a trailing dot.
  std::vector<std::string> hosts;
};

// [[zone.transfer]] of one zone: who may transfer it (an empty ACL: no one).
struct ZoneTransfer {
  dnsd::wire::Name origin;  // lower-cased
  dnsd::xfr::Acl acl;
};

// [[secondary]]: a secondary told of every serial change of the published zones (NOTIFY).
struct SecondarySection {
  std::string address;  // an IPv4 or IPv6 literal
  std::uint16_t port = 53;
  std::optional<dnsd::wire::Name> key;  // lower-cased; NOTIFY and SOA checks signed with it
  bool operator==(const SecondarySection&) const = default;
};

// [catalog]: the catalog zone (RFC 9432 v2) dnsd makes of its zones for secondaries such as
// Knot DNS (catalog-role: interpret). The zone itself, built from these at load, is one of
// Config::zones and has its ACL in Config::transfers, so it is served and transferred as any.
struct CatalogConfig {
  dnsd::wire::Name origin;                // lower-cased
  std::uint32_t serial = 1;               // its SOA serial, as the config gives it
  std::vector<dnsd::wire::Name> members;  // lower-cased, in config order
};

// [fleet]: several dnsd instances deciding endpoint health together through etcd (README
// "Running a fleet"). Off when the section is absent; control/fleet.hh runs it.
struct FleetSection {
  bool enabled = false;                // the section is present
  std::string name;                    // this instance, unique in the fleet: "dns-eu-1"
  std::string vantage;                 // where it probes from: "eu-west"
  std::vector<std::string> endpoints;  // etcd client URLs: "http://127.0.0.1:2379"
  std::string prefix = "/dnsd/";       // every key dnsd writes starts with it
  fleet::Rule rule;                    // "majority" (default), "at_least:N", "fraction:F"
  std::chrono::seconds lease_ttl{10};  // a silent instance's votes stop counting after it
  std::string ca_file, client_cert_file, client_key_file;  // TLS to etcd; empty: none
  std::string user;                                        // etcd auth; empty: none
  routing::Secret password;                                // from password_file
};

struct Config {
  std::string path;  // the TOML file it came from
  ServerSection server;
  RrlSection rrl;
  dnsd::dnstap::Settings dnstap;  // [dnstap]: query logging, off by default; read at start only
  XdpSection xdp;                 // [xdp]: the AF_XDP UDP path, off by default; read at start only
  dnsd::zone::ZoneSet zones;
  routing::Model model;
  LogLevel log_level = LogLevel::info;
  AdminConfig admin;
  dnsd::tsig::Keyring keys;                           // [[key]]: TSIG keys; secrets never printed
  std::vector<dnsd::update::Policy> update_policies;  // [[key]] update_*: who may update what
  std::vector<ZoneTransfer> transfers;                // one per [[zone]], and the catalog's
  std::optional<CatalogConfig> catalog;               // [catalog]; absent: no catalog zone

  // The transfer ACL of the zone with this lower-cased origin; null (no one) when unknown.
  const dnsd::xfr::Acl* transfer_acl(const dnsd::wire::Name& lowercased_origin) const noexcept {
    for (const auto& transfer : transfers)
      if (transfer.origin == lowercased_origin) return &transfer.acl;
    return nullptr;
  }
  publish::Settings publish;  // [publish] and each profile's transfer keys (publish_section.cc)
  std::vector<SecondarySection> secondaries;   // [[secondary]]
  std::vector<ZoneRecordCount> zone_records;   // one per [[zone]], in config order
  FleetSection fleet;                          // [fleet]
  std::vector<dnsd::dnssec::ZoneKeys> dnssec;  // [zone.dnssec] of each signed zone
};

}  // namespace conf
