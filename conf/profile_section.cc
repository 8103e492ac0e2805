// [[profile]]: a health-routed name, its monitor and its endpoints -> routing::Profile.
// Endpoints get their HealthTable slot (health_id) here, densely, in file order.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

#include "conf/address.hh"
#include "conf/key_tables.hh"
#include "conf/nested_profiles.hh"
#include "conf/record_text.hh"
#include "conf/sections.hh"
#include "routing/address_range.hh"
#include "routing/geo_database.hh"

namespace conf {

// The keys of [[profile]] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_profile_keys[] = {
    Key::other("name", "domain name", "", "inside a [[zone]]", "The routed name (required)."),
    Key::other("method", "string", "priority",
               "priority, weighted, multivalue, subnet, geographic, performance",
               "The routing method."),
    Key::integer("ttl", 0, max_ttl, "1", "TTL of the answers."),
    Key::other("flatten", "boolean", "false", "",
               "Answer the chosen FQDN endpoint's A/AAAA instead of a CNAME."),
    Key::other("all_degraded", "string", "first", "first, all",
               "What is answered when no endpoint is available."),
    Key::other("serve_while_checking", "boolean", "true", "",
               "CheckingEndpoint counts as available."),
    Key::other("status", "string", "enabled", "enabled, disabled",
               "disabled: the name answers NXDOMAIN."),
    Key::integer("max_return", 1, 10, "2", "multivalue: addresses per answer."),
    Key::other("geoip_database", "path", "", "a GeoIP2 database",
               "geographic, performance: where client addresses are placed."),
    Key::other("fallback", "string", "none", "none, parent_region",
               "geographic: what a Degraded match leads to."),
    Key::other("latency", "table", "", "0..100000 ms",
               "performance: client region to endpoint location and milliseconds."),
    Key::other("client_regions", "table", "", "",
               "performance: region name to client ranges, before the database."),
    Key::other("monitor", "table", "", "", "[profile.monitor]: how the endpoints are probed."),
    Key::other("endpoint", "array of tables", "", "1 to 200",
               "[[profile.endpoint]]: the endpoints (at least one)."),
    Key::other("transfer_client", "address", "0.0.0.0", "",
               "subnet, geographic, performance: the client whose answer secondaries get."),
    Key::other("transfer_weighted", "string", "heaviest", "heaviest, all",
               "weighted: what secondaries are given."),
};
const KeyTable profile_keys{
    "[[profile]]", "A health-routed name: its routing method, its monitor and its endpoints.",
    k_profile_keys};

// The keys of [[profile.endpoint]] (key_table.hh): what the reader accepts and the reference
// prints.
constexpr Key k_endpoint_keys[] = {
    Key::other("name", "string", "", "letters, digits, _ . -",
               "The endpoint's name in the profile (required)."),
    Key::other("target", "string", "", "an FQDN or an IP address",
               "What is answered (CNAME, A or AAAA); or profile."),
    Key::other("profile", "domain name", "", "a [[profile]] name",
               "Instead of target: a nested profile (up to 10 levels)."),
    Key::integer("min_child_endpoints", 1, routing::max_endpoints, "1",
                 "Nested: available while this many of the child's endpoints are Online."),
    Key::integer("min_child_endpoints_ipv4", 0, routing::max_endpoints, "0",
                 "Nested: the same for the child's IPv4 endpoints."),
    Key::integer("min_child_endpoints_ipv6", 0, routing::max_endpoints, "0",
                 "Nested: the same for the child's IPv6 endpoints."),
    Key::integer("priority", 1, 1000, "its position (1, 2, ...)",
                 "priority: unique in the profile; the lowest available wins."),
    Key::integer("weight", 1, 1000, "1", "weighted: the endpoint's share."),
    Key::other("enabled", "boolean", "true", "", "The older spelling of status = \"disabled\"."),
    Key::other("status", "string", "enabled", "enabled, disabled, always_serve",
               "disabled: never answered nor probed; always_serve: answered, not probed."),
    Key::other("ranges", "list of ranges", "", "CIDR or first-last",
               "subnet: client ranges; one endpoint without ranges is the fallback."),
    Key::other("regions", "list of strings", "", "WORLD, GEO-xx, country, country-state",
               "geographic: the regions this endpoint serves."),
    Key::other("subnet_override", "list of ranges", "", "CIDR or first-last",
               "geographic, performance: client ranges pinned to this endpoint."),
    Key::other("location", "string", "", "a column of latency",
               "performance: the endpoint's region name."),
    Key::other("probe_host", "string", "target", "an FQDN or an IP address",
               "Probe this host instead of the one answered."),
    Key::other("monitor", "table", "", "",
               "[profile.endpoint.monitor]: this endpoint's monitor overrides."),
};
const KeyTable endpoint_keys{
    "[[profile.endpoint]]",
    "One endpoint of a profile: an address, a host name or a nested profile.", k_endpoint_keys};

namespace {

using dnsd::wire::Name;
using routing::Method;

// Traffic Manager's own limit; it also bounds the query path's stack arrays.
constexpr std::size_t k_max_endpoints = routing::max_endpoints;

constexpr std::array<std::pair<std::string_view, Method>, 6> k_methods{
    {{"priority", Method::priority},
     {"weighted", Method::weighted},
     {"multivalue", Method::multivalue},
     {"subnet", Method::subnet},
     {"geographic", Method::geographic},
     {"performance", Method::performance}}};

Method read_method(Section& s) {
  const auto text = s.string("method");
  if (!text) return Method::priority;
  for (const auto& [name, method] : k_methods) {
    if (name != *text) continue;
    return method;
  }
  s.error("method",
          fmt::format("unknown method {} (expected one of priority, weighted, multivalue, "
                      "subnet, geographic, performance)",
                      in_quotes(*text)));
  return Method::priority;
}

bool is_endpoint_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// An FQDN (absolute, trailing dot optional) or an IPv4 / IPv6 literal. Absolute because a
// target is the probe's host (URL, SNI) as well, and Traffic Manager targets are FQDNs written
// without the dot; --check-config warns where the dot is missing (BIND habits read it relative).
bool parse_target(std::string_view text, routing::Endpoint& endpoint, std::string& why) {
  if (auto ip = parse_ip(text)) {
    endpoint.kind = ip->v6 ? routing::TargetKind::ipv6 : routing::TargetKind::ipv4;
    endpoint.address = ip->bytes;
    endpoint.target = ip->text;
    return true;
  }
  // RFC 1123 §2.1: a host name never has the dotted-decimal form, so this is a broken address.
  if (text.find(':') != std::string_view::npos ||
      text.find_first_not_of("0123456789.") == std::string_view::npos) {
    why = "is not a valid IPv4 or IPv6 address";
    return false;
  }
  const auto name = is_host_name(text) ? Name::from_text(text) : std::nullopt;
  if (!name) {
    why = "is neither a host name (letters, digits, '-', '_') nor an IP address";
    return false;
  }
  endpoint.kind = routing::TargetKind::name;
  endpoint.target = name->to_text();
  endpoint.target_wire.assign(name->wire().begin(), name->wire().end());
  return true;
}

class ProfileReader {
 public:
  ProfileReader(Section& profile, const LoadContext& ctx, routing::Model& model,
                std::vector<NestedRef>& nested)
      : ps_(profile), ctx_(ctx), model_(model), nested_(nested) {}
  routing::Profile read(ProfileSite& site);

 private:
  void endpoints(routing::Profile& profile, const MonitorDraft& monitor);
  void status(Section& es, routing::Endpoint& e);
  void ranges(Section& es, routing::Endpoint& e, const routing::Profile& profile);
  void method_rules(Section& es, const routing::Endpoint& e, const routing::Profile& profile);
  void target_or_child(Section& es, routing::Endpoint& e);
  void child_minimums(Section& es, routing::Endpoint& e);
  void regions(Section& es, const routing::Endpoint& e, const routing::Profile& profile);
  void geographic(routing::Profile& profile);
  void latency(routing::Profile& profile);
  void client_regions(routing::Profile& profile);
  std::optional<routing::Endpoint> endpoint(const toml::table& table, std::size_t index,
                                            const MonitorDraft& monitor,
                                            const routing::Profile& profile);

  Section& ps_;
  const LoadContext& ctx_;
  routing::Model& model_;
  std::vector<NestedRef>& nested_;
  std::optional<NestedRef> pending_ref_;  // the endpoint being read, when it is nested
  routing::MonitorSpec profile_monitor_;
  // Every endpoint read so far, good or bad, so a duplicate is found even next to an error.
  std::vector<std::pair<std::string, std::uint16_t>> seen_;
  // Subnet ranges read so far with their endpoint's name, to refuse overlaps.
  std::vector<std::pair<routing::AddressRange, std::string>> ranges_seen_;
  std::string fallback_endpoint_;  // subnet: the endpoint with no ranges, once one is seen
  // Geographic: every region read so far with its endpoint's name, and the current endpoint's.
  std::vector<std::pair<routing::RegionCode, std::string>> regions_seen_;
  std::vector<routing::RegionCode> pending_regions_;
};

std::optional<routing::Endpoint> ProfileReader::endpoint(const toml::table& table,
                                                         std::size_t index,
                                                         const MonitorDraft& monitor,
                                                         const routing::Profile& profile) {
  Section es(ctx_.diag, table, fmt::format("{}[{}]", ps_.key("endpoint"), index), endpoint_keys);
  routing::Endpoint e;
  e.name = es.string("name", Need::required).value_or("");
  if (es.has("name") && !is_endpoint_name(e.name))
    es.error("name", fmt::format("bad endpoint name {} (expected letters, digits, '_', '.', '-')",
                                 in_quotes(e.name)));
  for (const auto& [other, _] : seen_)
    if (!e.name.empty() && other == e.name)
      es.error("name",
               fmt::format("endpoint name {} is used twice in this profile", in_quotes(e.name)));
  target_or_child(es, e);
  const auto priority = es.integer("priority");
  e.priority = static_cast<std::uint16_t>(priority.value_or(static_cast<std::int64_t>(index + 1)));
  e.weight = static_cast<std::uint16_t>(es.integer("weight").value_or(1));
  status(es, e);
  e.probe_host = e.target;
  if (const auto host = es.string("probe_host")) {
    routing::Endpoint probe;
    std::string why;
    if (parse_target(*host, probe, why))
      e.probe_host = probe.target;
    else
      es.error("probe_host", fmt::format("{} {}", in_quotes(*host), why));
  }
  e.monitor = profile_monitor_;
  if (const auto* own = es.table("monitor")) {
    MonitorDraft draft = monitor;  // the profile's keys, then this endpoint's on top
    apply_monitor(*own, es.key("monitor"), ctx_, draft);
    e.monitor = finish_monitor(std::move(draft), es.key("monitor"), line_of(*own), own, ctx_);
  }
  // Priorities are unique in a priority profile, or failover order would be a coin toss.
  const bool priority_known = priority || !es.has("priority");
  for (const auto& [other, other_priority] : seen_)
    if (profile.method == Method::priority && priority_known && other_priority == e.priority)
      es.error("priority",
               fmt::format("priority {} is already used by endpoint {}{} (each endpoint of a "
                           "priority profile needs its own)",
                           e.priority, in_quotes(other),
                           priority ? "" : "; this one has it by default, from its position"));
  ranges(es, e, profile);
  regions(es, e, profile);
  if (const auto location = es.string("location")) {
    if (profile.method != Method::performance)
      es.error("location", "location applies to method \"performance\" only");
    else if (location->empty())
      es.error("location", "must not be empty (a region name such as \"westeurope\")");
    else
      e.location = *location;
  }
  method_rules(es, e, profile);
  es.finish();
  seen_.emplace_back(e.name, e.priority);
  if (!es.clean()) return std::nullopt;
  return e;
}

// status = "enabled" | "disabled" | "always_serve"; the older `enabled = false` still works,
// but not both at once (they could disagree).
void ProfileReader::status(Section& es, routing::Endpoint& e) {
  e.enabled = es.boolean("enabled").value_or(true);
  const auto text = es.string("status");
  if (!text) return;
  if (es.has("enabled"))
    es.error("status",
             "give either status or enabled, not both (status = \"disabled\" is "
             "enabled = false)");
  if (*text == "enabled") {
    e.enabled = true;
  } else if (*text == "disabled") {
    e.enabled = false;
  } else if (*text == "always_serve") {
    e.enabled = true;
    e.always_serve = true;
  } else {
    es.error("status", fmt::format("unknown status {} (expected enabled, disabled or always_serve)",
                                   in_quotes(*text)));
  }
}

// target = an FQDN or address; profile = the name of another [[profile]] (a nested profile,
// resolved once every profile is read).
void ProfileReader::target_or_child(Section& es, routing::Endpoint& e) {
  pending_ref_.reset();
  if (es.has("profile")) {
    if (es.has("target")) {
      es.error("target", "give target or profile, not both (profile nests another profile)");
      return;
    }
    const auto text = es.string("profile");
    if (!text) return;
    std::string why;
    const auto name = Name::from_text(*text, nullptr, &why);
    if (!name) {
      es.error("profile", fmt::format("bad profile name {}: {}", in_quotes(*text), why));
      return;
    }
    e.kind = routing::TargetKind::profile;
    e.target = name->lowercased().to_text();
    NestedRef ref;
    ref.key = es.key("profile");
    ref.line = es.line("profile");
    pending_ref_ = std::move(ref);
    child_minimums(es, e);
    return;
  }
  for (const auto* key :
       {"min_child_endpoints", "min_child_endpoints_ipv4", "min_child_endpoints_ipv6"})
    if (es.has(key)) es.error(key, "applies to nested profile endpoints (profile = ...) only");
  if (const auto target = es.string("target", Need::required)) {
    std::string why;
    if (!parse_target(*target, e, why))
      es.error("target", fmt::format("{} {}", in_quotes(*target), why));
    else if (e.kind == routing::TargetKind::name && !target->ends_with('.'))
      es.diag().warn_at(es.line("target"), es.key("target"),
                        fmt::format("{} has no trailing dot: endpoint targets are always absolute "
                                    "(it is {}, not relative to the zone as in a master file); "
                                    "write {} to say so",
                                    in_quotes(*target), e.target, in_quotes(e.target)));
  }
}

void ProfileReader::child_minimums(Section& es, routing::Endpoint& e) {
  if (const auto n = es.integer("min_child_endpoints")) {
    e.min_child_endpoints = static_cast<std::uint16_t>(*n);
    pending_ref_->min_key = es.key("min_child_endpoints");
    pending_ref_->min_line = es.line("min_child_endpoints");
  }
  if (const auto n = es.integer("min_child_endpoints_ipv4"))
    e.min_child_endpoints_ipv4 = static_cast<std::uint16_t>(*n);
  if (const auto n = es.integer("min_child_endpoints_ipv6"))
    e.min_child_endpoints_ipv6 = static_cast<std::uint16_t>(*n);
}

// regions = ["WORLD", "GEO-EU", "DE", "US-CA"]: geographic profiles only; each region maps to
// exactly one endpoint of the profile, and every endpoint has at least one.
void ProfileReader::regions(Section& es, const routing::Endpoint& e,
                            const routing::Profile& profile) {
  pending_regions_.clear();
  const auto items = es.strings("regions", true);
  if (profile.method != Method::geographic) {
    if (items) es.error("regions", "regions apply to method \"geographic\" only");
    return;
  }
  if (!items) {
    if (!es.has("regions"))
      es.error("regions",
               "is required in a geographic profile (e.g. [\"GEO-EU\", \"US-CA\", \"WORLD\"])");
    return;
  }
  for (const auto& item : *items) {
    routing::RegionCode code{};
    std::string why;
    if (!routing::parse_region(item.value, code, why)) {
      es.error_at(item.line, item.key, fmt::format("{} {}", in_quotes(item.value), why));
      continue;
    }
    bool taken = false;
    for (const auto& [other, owner] : regions_seen_)
      if (other == code) {
        es.error_at(item.line, item.key,
                    fmt::format("region {} is already mapped to endpoint {} (a region maps to "
                                "exactly one endpoint)",
                                in_quotes(item.value), in_quotes(owner)));
        taken = true;
        break;
      }
    if (taken) continue;
    regions_seen_.emplace_back(code, e.name);
    pending_regions_.push_back(code);
  }
}

// geoip_database and fallback: the GeoIP file geographic profiles locate clients in, and what
// a Degraded match leads to.
void ProfileReader::geographic(routing::Profile& profile) {
  const bool geo = profile.method == Method::geographic;
  const bool located = geo || profile.method == Method::performance;
  if (const auto mode = ps_.string("fallback")) {
    if (!geo)
      ps_.error("fallback", "fallback applies to method \"geographic\" only");
    else if (*mode == "parent_region")
      profile.geo_fallback = routing::GeoFallback::parent_region;
    else if (*mode != "none")
      ps_.error("fallback", fmt::format("unknown fallback {} (expected none or parent_region)",
                                        in_quotes(*mode)));
  }
  const auto path = ps_.string("geoip_database");
  if (!located) {
    if (path)
      ps_.error("geoip_database",
                "geoip_database applies to methods \"geographic\" and \"performance\" only");
    return;
  }
  if (!path) {
    if (!geo) return;  // performance without a database: the probes' round trips decide
    if (!ps_.has("geoip_database"))
      ps_.error("method",
                "method \"geographic\" needs geoip_database (a GeoIP2/GeoLite2 .mmdb file)");
    return;
  }
  std::string why;
  const auto file = ctx_.resolve(*path);
  profile.geoip = routing::GeoDatabase::open(file, why);
  if (!profile.geoip)
    ps_.error("geoip_database", fmt::format("cannot open {}: {}", in_quotes(file), why));
}

// [profile.latency]: client region -> { endpoint location = milliseconds }. Read after the
// endpoints, so each location is checked against theirs.
void ProfileReader::latency(routing::Profile& profile) {
  client_regions(profile);
  const auto* table = ps_.table("latency");
  if (!table) return;
  if (profile.method != Method::performance) {
    ps_.error("latency", "latency applies to method \"performance\" only");
    return;
  }
  if (!ps_.has("geoip_database") && !ps_.has("client_regions"))
    ps_.error("latency",
              "a latency table needs geoip_database or client_regions, to find the "
              "client's region");
  for (const auto& e : profile.endpoints)
    if (e.location.empty()) {
      ps_.error("latency", fmt::format("endpoint {} has no location, so the table cannot rank it",
                                       in_quotes(e.name)));
      return;
    }
  for (const auto& [region_key, value] : *table) {
    const std::string region_text(region_key.str());
    const std::string key = ps_.key("latency") + "." + region_text;
    routing::LatencyRow row;
    std::string why;
    if (!routing::parse_region(region_text, row.region, why)) {
      ps_.error_at(line_of(value), key, fmt::format("{} {}", in_quotes(region_text), why));
      continue;
    }
    const auto* locations = value.as_table();
    if (!locations) {
      ps_.error_at(
          line_of(value), key,
          fmt::format("must be a table of location = milliseconds, got {}", type_name(value)));
      continue;
    }
    row.ms.assign(profile.endpoints.size(), std::numeric_limits<std::uint32_t>::max());
    for (const auto& [location_key, ms] : *locations) {
      const std::string location(location_key.str());
      const auto number = ms.value<std::int64_t>();
      if (!ms.is_integer() || !number || *number < 0 || *number > 100'000) {
        ps_.error_at(line_of(ms), key + "." + location, "must be milliseconds from 0 to 100000");
        continue;
      }
      bool known = false;
      for (std::size_t i = 0; i < profile.endpoints.size(); ++i)
        if (profile.endpoints[i].location == location) {
          row.ms[i] = static_cast<std::uint32_t>(*number);
          known = true;
        }
      if (!known)
        ps_.error_at(line_of(ms), key + "." + location,
                     fmt::format("no endpoint has location {}", in_quotes(location)));
    }
    profile.latency.push_back(std::move(row));
  }
}

bool overlap_partly(const routing::AddressRange& a, const routing::AddressRange& b) {
  using routing::to_number;
  if (a.v6 != b.v6) return false;
  const auto a1 = to_number(a.first, a.v6), a2 = to_number(a.last, a.v6);
  const auto b1 = to_number(b.first, b.v6), b2 = to_number(b.last, b.v6);
  if (a2 < b1 || b2 < a1) return false;                        // disjoint
  if (a1 == b1 && a2 == b2) return true;                       // the same range twice
  return !((a1 <= b1 && b2 <= a2) || (b1 <= a1 && a2 <= b2));  // nested is fine
}

// [profile.client_regions]: region = ["CIDR" or "first-last", ...], placing clients without
// the GeoIP database (performance only). Ranges may nest, not overlap partly.
void ProfileReader::client_regions(routing::Profile& profile) {
  const auto* table = ps_.table("client_regions");
  if (!table) return;
  if (profile.method != Method::performance) {
    ps_.error("client_regions", "client_regions applies to method \"performance\" only");
    return;
  }
  for (const auto& [region_key, value] : *table) {
    const std::string region_text(region_key.str());
    const std::string key = ps_.key("client_regions") + "." + region_text;
    routing::RegionCode code{};
    std::string why;
    if (!routing::parse_region(region_text, code, why)) {
      ps_.error_at(line_of(value), key, fmt::format("{} {}", in_quotes(region_text), why));
      continue;
    }
    const auto* list = value.as_array();
    if (!list) {
      ps_.error_at(line_of(value), key,
                   fmt::format("must be an array of ranges, got {}", type_name(value)));
      continue;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& element = *list->get(i);
      const std::string element_key = fmt::format("{}[{}]", key, i);
      const auto text = element.value<std::string>();
      routing::AddressRange range;
      if (!text || !routing::parse_range(*text, range, why)) {
        ps_.error_at(line_of(element), element_key,
                     text ? fmt::format("{} {}", in_quotes(*text), why) : "must be a string");
        continue;
      }
      bool clash = false;
      for (const auto& other : profile.client_regions)
        if (overlap_partly(range, other.range)) {
          ps_.error_at(line_of(element), element_key,
                       fmt::format("{} overlaps {} (ranges may nest, not overlap)",
                                   in_quotes(*text), in_quotes(other.range.text)));
          clash = true;
          break;
        }
      if (!clash) profile.client_regions.push_back(routing::ClientRegion{std::move(range), code});
    }
  }
}

// ranges = ["10.0.0.0/8", "192.0.2.10-192.0.2.20", "2001:db8::/32"]: subnet profiles only.
// Ranges may nest (the longest prefix wins) but not overlap partly or repeat, in which case
// the answer would depend on the order of the file.
void ProfileReader::ranges(Section& es, routing::Endpoint& e, const routing::Profile& profile) {
  // Subnet profiles route by `ranges`; geographic ones pin client ranges with
  // `subnet_override`. Both are stored as the endpoint's ranges.
  const bool geo = profile.method == Method::geographic || profile.method == Method::performance;
  const char* key = geo ? "subnet_override" : "ranges";
  if (es.has(geo ? "ranges" : "subnet_override")) {
    es.error(
        geo ? "ranges" : "subnet_override",
        geo ? "ranges apply to method \"subnet\" only (subnet_override pins client ranges here)"
            : "subnet_override applies to methods \"geographic\" and \"performance\" only");
  }
  const auto items = es.strings(key, true);
  if (!items) return;
  if (!geo && profile.method != Method::subnet) {
    es.error("ranges", "ranges apply to method \"subnet\" only");
    return;
  }
  for (const auto& item : *items) {
    routing::AddressRange range;
    std::string why;
    if (!routing::parse_range(item.value, range, why)) {
      es.error_at(item.line, item.key, fmt::format("{} {}", in_quotes(item.value), why));
      continue;
    }
    bool clash = false;
    for (const auto& [other, owner] : ranges_seen_)
      if (overlap_partly(range, other)) {
        es.error_at(item.line, item.key,
                    fmt::format("{} overlaps {} of endpoint {} (ranges may nest, not overlap)",
                                in_quotes(item.value), in_quotes(other.text), in_quotes(owner)));
        clash = true;
        break;
      }
    if (clash) continue;
    ranges_seen_.emplace_back(range, e.name);
    e.ranges.push_back(std::move(range));
  }
}

void ProfileReader::method_rules(Section& es, const routing::Endpoint& e,
                                 const routing::Profile& profile) {
  if (profile.method == Method::multivalue && e.kind == routing::TargetKind::profile)
    es.error("profile", "a multivalue profile answers IP endpoints only, not nested profiles");
  if (profile.method == Method::multivalue && es.has("target") &&
      e.kind == routing::TargetKind::name && !e.target.empty())
    es.error("target", fmt::format("{} is a host name; a multivalue profile answers IP endpoints "
                                   "only (as Traffic Manager)",
                                   in_quotes(e.target)));
  if (profile.method == Method::subnet && !es.has("ranges")) {
    if (!fallback_endpoint_.empty())
      es.error("ranges", fmt::format("endpoint {} is already the fallback (the one endpoint "
                                     "without ranges); give this one ranges",
                                     in_quotes(fallback_endpoint_)));
    else
      fallback_endpoint_ = e.name;
  }
}

void ProfileReader::endpoints(routing::Profile& profile, const MonitorDraft& monitor) {
  const auto* list = ps_.tables("endpoint");
  if (!list || list->empty()) {
    if (!ps_.has("endpoint") || list)
      ps_.error("endpoint", "at least one [[profile.endpoint]] is required");
    return;
  }
  if (list->size() > k_max_endpoints)
    ps_.error("endpoint", fmt::format("at most {} endpoints per profile, got {}", k_max_endpoints,
                                      list->size()));
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto e = endpoint(*list->get(i)->as_table(), i, monitor, profile);
    if (!e) continue;
    e->health_id = static_cast<routing::EndpointId>(model_.endpoint_count++);
    for (const auto& code : pending_regions_)
      profile.regions.push_back(
          routing::GeoRegion{code, static_cast<std::uint16_t>(profile.endpoints.size())});
    if (pending_ref_) {
      pending_ref_->parent = static_cast<routing::ProfileId>(model_.profiles.size());
      pending_ref_->endpoint = profile.endpoints.size();
      nested_.push_back(std::move(*pending_ref_));
    }
    profile.endpoints.push_back(std::move(*e));
  }
  if (profile.method == Method::priority)
    std::stable_sort(profile.endpoints.begin(), profile.endpoints.end(),
                     [](const auto& a, const auto& b) { return a.priority < b.priority; });
}

routing::Profile ProfileReader::read(ProfileSite& site) {
  routing::Profile profile;
  site.name_key = ps_.key("name");
  site.name_line = ps_.line("name");
  if (const auto text = ps_.string("name", Need::required)) {
    std::string why;
    site.owner = Name::from_text(*text, nullptr, &why);  // always absolute
    if (site.owner)
      profile.name = site.owner->to_text();
    else
      ps_.error("name", fmt::format("bad profile name {}: {}", in_quotes(*text), why));
  }
  profile.method = read_method(ps_);
  profile.ttl = static_cast<std::uint32_t>(ps_.integer("ttl").value_or(1));
  profile.flatten = ps_.boolean("flatten").value_or(false);
  if (const auto mode = ps_.string("all_degraded")) {
    if (*mode == "first")
      profile.all_degraded = routing::AllDegraded::first;
    else if (*mode == "all")
      profile.all_degraded = routing::AllDegraded::all;
    else
      ps_.error("all_degraded",
                fmt::format("unknown value {} (expected all or first)", in_quotes(*mode)));
  }
  profile.serve_while_checking = ps_.boolean("serve_while_checking").value_or(true);
  if (const auto status = ps_.string("status")) {
    if (*status == "disabled")
      profile.enabled = false;
    else if (*status != "enabled")
      ps_.error("status", fmt::format("unknown status {} (expected enabled or disabled)",
                                      in_quotes(*status)));
  }
  geographic(profile);
  if (const auto max_return = ps_.integer("max_return")) {
    if (profile.method != Method::multivalue)
      ps_.error("max_return", "max_return applies to method \"multivalue\" only");
    else
      profile.max_return = static_cast<std::uint8_t>(*max_return);
  }
  MonitorDraft monitor = default_monitor();
  const auto* table = ps_.table("monitor");
  if (table) apply_monitor(*table, ps_.key("monitor"), ctx_, monitor);
  profile_monitor_ = finish_monitor(monitor, ps_.key("monitor"),
                                    table ? line_of(*table) : ps_.line(), table, ctx_);
  endpoints(profile, monitor);
  latency(profile);
  ps_.finish();
  return profile;
}

}  // namespace

std::vector<ProfileSite> read_profiles(Section& root, const LoadContext& ctx, routing::Model& model,
                                       std::vector<publish::ProfileTransfer>& transfers) {
  std::vector<ProfileSite> sites;
  std::vector<NestedRef> nested;
  const auto* list = root.tables("profile");
  if (!list) return sites;
  for (std::size_t i = 0; i < list->size(); ++i) {
    Section ps(ctx.diag, *list->get(i)->as_table(), fmt::format("profile[{}]", i), profile_keys);
    ProfileSite site;
    site.id = static_cast<routing::ProfileId>(i);
    model.profiles.push_back(ProfileReader(ps, ctx, model, nested).read(site));
    read_profile_transfer(ps, model.profiles.back(), transfers.emplace_back());
    for (const auto& earlier : sites)
      if (site.owner && earlier.owner && earlier.owner->lowercased() == site.owner->lowercased()) {
        ps.error("name", fmt::format("profile {} is already defined by profile[{}]",
                                     site.owner->to_text(), earlier.id));
        site.owner.reset();
        break;
      }
    sites.push_back(std::move(site));
  }
  resolve_nested(nested, model, ctx.diag);
  return sites;
}

}  // namespace conf
