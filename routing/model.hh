// The routing model: profiles, endpoints and monitor settings, as validated by conf/.
// Plain data, immutable once published; no sockets, curl or TOML here.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "routing/secret.hh"

namespace routing {

// Index of an endpoint's word in the HealthTable; dense over every endpoint of every profile.
using EndpointId = std::uint32_t;
using ProfileId = std::uint32_t;

// Endpoints per profile (Traffic Manager's own limit); bounds the query path's stack arrays.
inline constexpr std::size_t max_endpoints = 200;

enum class Method : std::uint8_t {
  priority,
  weighted,
  multivalue,
  subnet,
  geographic,
  performance
};

// What a profile answers when no endpoint is available (every one Degraded). Traffic Manager
// routes as if all were healthy, which for priority is the top endpoint: `first` (default).
// `all` answers every enabled endpoint where the answer can hold several (A/AAAA).
enum class AllDegraded : std::uint8_t { first, all };

// profile: a nested profile; the endpoint answers whatever that child profile answers.
enum class TargetKind : std::uint8_t { name, ipv4, ipv6, profile };

// Nesting depth Traffic Manager allows (a profile and up to 9 levels of children below it).
inline constexpr std::size_t max_nesting = 10;

// An endpoint's configured status (Traffic Manager's Enabled / Disabled / AlwaysServe).
// always_serve: answered as if healthy and never probed; operators see it as Unmonitored.
enum class EndpointStatus : std::uint8_t { enabled, disabled, always_serve };

// A client address range of the subnet method (and of subnet overrides): [first, last], both
// ends included, over 16 bytes (IPv4 in the first 4 bytes, as ClientInfo). `prefix` is the CIDR
// length when the range was written as one (or is exactly one), else -1.
struct AddressRange {
  bool v6 = false;
  std::array<std::uint8_t, 16> first{};
  std::array<std::uint8_t, 16> last{};
  int prefix = -1;
  std::string text;  // as written, for messages
};

enum class Protocol : std::uint8_t { http, https, tcp };

struct StatusRange {
  std::uint16_t first = 200;
  std::uint16_t last = 200;
  friend bool operator==(const StatusRange&, const StatusRange&) = default;
};

struct Header {
  std::string name;
  Secret value;  // may be a credential: never printed, logged or served
  friend bool operator==(const Header&, const Header&) = default;
};

struct MonitorSpec {
  Protocol protocol = Protocol::https;
  std::uint16_t port = 443;
  std::string path = "/";
  std::vector<Header> headers;
  std::vector<StatusRange> expected_status{{200, 200}};
  std::string expected_body;  // empty: not checked
  std::chrono::milliseconds interval{10'000};
  std::chrono::milliseconds timeout{5'000};
  std::uint8_t tolerated_failures = 3;
  std::uint8_t successes_to_recover = 1;
  std::string host_header;  // empty: the endpoint's FQDN
  bool verify_tls = true;
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::size_t max_body_bytes = 64 * 1024;

  friend bool operator==(const MonitorSpec&, const MonitorSpec&) = default;
};

struct Endpoint {
  std::string name;  // operator's name, e.g. "eu"
  TargetKind kind = TargetKind::name;
  std::string target;                      // FQDN (absolute, with trailing dot) or address text
  std::vector<std::uint8_t> target_wire;   // kind == name: uncompressed wire form of target
  std::array<std::uint8_t, 16> address{};  // kind == ipv4 (first 4 bytes) or ipv6
  std::string probe_host;                  // what the monitor connects to; defaults to target
  std::uint16_t priority = 1;
  std::uint16_t weight = 1;
  bool enabled = true;               // false: status = "disabled" (never answered, not probed)
  bool always_serve = false;         // status = "always_serve": available whatever the probes say
  std::vector<AddressRange> ranges;  // subnet: client ranges; geographic/performance: overrides
  std::string location;              // performance: the region the endpoint runs in ("westeurope")
  // kind == profile: the child, and how many of its endpoints must be Online for it to count
  // as available in this parent (Traffic Manager's MinChildEndpoints, and per family).
  ProfileId child = 0;
  std::uint16_t min_child_endpoints = 1;
  std::uint16_t min_child_endpoints_ipv4 = 0;
  std::uint16_t min_child_endpoints_ipv6 = 0;
  EndpointId health_id = 0;
  MonitorSpec monitor;  // the profile's monitor with this endpoint's overrides applied
};

class GeoDatabase;

// A region code of the geographic hierarchy, zero-padded: "WORLD", "GEO-EU" (a continent),
// "DE" (a country), "US-CA" (a state or province: country, dash, subdivision).
using RegionCode = std::array<char, 8>;

struct GeoRegion {
  RegionCode code{};
  std::uint16_t endpoint = 0;  // index into Profile::endpoints
};

// Geographic: what a matched endpoint that is down leads to. none: it is answered anyway
// (Traffic Manager); parent_region: the next region up whose endpoint is available.
enum class GeoFallback : std::uint8_t { none, parent_region };

// Performance: measured latency from one client region to every endpoint (by index; UINT32_MAX
// when the table gives none for the endpoint's location).
// Performance: a client range placed in a region without the GeoIP database.
struct ClientRegion {
  AddressRange range;
  RegionCode region{};
};

struct LatencyRow {
  RegionCode region{};
  std::vector<std::uint32_t> ms;
};

struct Profile {
  std::string name;  // owner name, absolute, e.g. "cloudintegration.tm.example.com."
  Method method = Method::priority;
  std::uint32_t ttl = 1;
  bool flatten = false;  // answer A/AAAA for FQDN endpoints (forced at a zone apex)
  AllDegraded all_degraded = AllDegraded::first;
  bool serve_while_checking = true;  // CheckingEndpoint counts as available, as Traffic Manager
  bool enabled = true;          // status = "disabled": the name answers NXDOMAIN (Traffic Manager)
  std::uint8_t max_return = 2;  // multivalue: at most this many addresses (1..10)
  // geographic: each region maps to one endpoint; the client is located in `geoip`.
  std::vector<GeoRegion> regions;
  GeoFallback geo_fallback = GeoFallback::none;
  std::shared_ptr<const GeoDatabase> geoip;
  // performance: client region -> latency to each endpoint; empty: the probes' round trips.
  std::vector<LatencyRow> latency;
  std::vector<ClientRegion> client_regions;  // consulted before the GeoIP database
  std::vector<Endpoint> endpoints;           // sorted by priority for Method::priority
};

// The DNS servers c-ares asks to resolve FQDN endpoints ("127.0.0.1:5300", "[::1]:53").
// Empty: the system's resolv.conf.
struct ResolverSettings {
  std::vector<std::string> servers;
};

// The local addresses probes leave from, per family, as canonical literals ([server]
// probe_source_ipv4/_ipv6): HTTP(S) and TCP connects, and the lookups of endpoint names. Empty:
// the kernel chooses. Gives a multi-homed host (or each instance of a test fleet) its vantage.
struct ProbeSource {
  std::string ipv4;
  std::string ipv6;
  friend bool operator==(const ProbeSource&, const ProbeSource&) = default;
};

struct Model {
  std::vector<Profile> profiles;   // indexed by ProfileId
  std::size_t endpoint_count = 0;  // size of the HealthTable this model needs
  ResolverSettings resolver;
  ProbeSource probe_source;
};

}  // namespace routing
