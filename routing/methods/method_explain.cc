// The explain hooks of the weighted, multivalue, subnet, geographic and performance methods:
// the facts each one decides on (weights, the client's matching range, its located region, the
// latency ranking), one step per endpoint looked at. The answer itself is always pick()'s, so
// these steps describe the decision and cannot change it.
#include "routing/methods/method_explain.hh"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "routing/address_range.hh"
#include "routing/availability.hh"
#include "routing/explanation.hh"
#include "routing/geo_database.hh"

namespace routing::methods {
namespace {

std::string address_text(const ClientInfo& client) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(client.is_ipv6 ? AF_INET6 : AF_INET, client.address.data(), text, sizeof text);
  return client.has_ecs ? fmt::format("{}/{} (EDNS Client Subnet)", text, client.source_prefix)
                        : fmt::format("{} (source address)", text);
}

std::string region_text(const RegionCode& code) {
  return std::string(code.data(), strnlen(code.data(), code.size()));
}

bool holds(const AddressRange& range, const ClientInfo& client) {
  return range.v6 == client.is_ipv6 && contains(range, to_number(client.address, client.is_ipv6));
}

std::string ranges_text(const Endpoint& endpoint, const ClientInfo& client) {
  std::string out;
  for (const auto& range : endpoint.ranges)
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", range.text,
                       holds(range, client) ? " (holds the client)" : "");
  return out;
}

// Subnet overrides of geographic and performance profiles, checked before anything else.
void explain_overrides(const Profile& profile, const HealthTable& health, const ClientInfo& client,
                       Explanation& out) {
  for (const auto& endpoint : profile.endpoints)
    if (!endpoint.ranges.empty())
      out.steps.push_back(fmt::format("subnet override {}: {}", ranges_text(endpoint, client),
                                      describe_endpoint(profile, endpoint, health)));
}

}  // namespace

void explain_weighted(const Profile& profile, const HealthTable& health, Explanation& out) {
  out.steps.push_back("one available endpoint is drawn at random, in proportion to its weight");
  std::uint32_t total = 0;
  for (const auto& endpoint : profile.endpoints)
    if (is_available(profile, endpoint, health)) total += endpoint.weight;
  for (const auto& endpoint : profile.endpoints) {
    const bool available = is_available(profile, endpoint, health);
    out.steps.push_back(fmt::format(
        "weight {}: {}{}", endpoint.weight, describe_endpoint(profile, endpoint, health),
        available && total ? fmt::format(" (chance {:.1f}%)", 100.0 * endpoint.weight / total)
                           : ""));
  }
}

void explain_multivalue(const Profile& profile, const HealthTable& health, Explanation& out) {
  out.steps.push_back(fmt::format(
      "every available endpoint of the query's address family is answered, at most max_return = {}",
      profile.max_return));
  for (const auto& endpoint : profile.endpoints)
    out.steps.push_back(describe_endpoint(profile, endpoint, health));
}

void explain_subnet(const Profile& profile, const HealthTable& health, const ClientInfo& client,
                    Explanation& out) {
  out.steps.push_back(
      fmt::format("client {}: the most specific range holding it wins; an endpoint "
                  "without ranges answers everyone else",
                  address_text(client)));
  for (const auto& endpoint : profile.endpoints)
    out.steps.push_back(fmt::format(
        "{}: {}",
        endpoint.ranges.empty() ? "no ranges (the fallback)" : ranges_text(endpoint, client),
        describe_endpoint(profile, endpoint, health)));
}

void explain_geographic(const Profile& profile, const HealthTable& health, const ClientInfo& client,
                        Explanation& out) {
  explain_overrides(profile, health, client, out);
  const GeoLocation location = profile.geoip ? profile.geoip->locate(client) : GeoLocation{};
  RegionCode chain[4];
  const std::size_t regions = region_chain(location, chain);
  std::string where;
  for (std::size_t i = 0; i < regions; ++i)
    where += (where.empty() ? "" : " > ") + region_text(chain[i]);
  out.steps.push_back(
      fmt::format("client {} is located in {}", address_text(client),
                  location.found ? where : "no region of the GeoIP database (WORLD only)"));
  for (std::size_t i = 0; i < regions; ++i) {
    const auto match =
        std::find_if(profile.regions.begin(), profile.regions.end(),
                     [&](const GeoRegion& region) { return region.code == chain[i]; });
    if (match == profile.regions.end()) {
      out.steps.push_back(fmt::format("region {}: no endpoint", region_text(chain[i])));
      continue;
    }
    const Endpoint& endpoint = profile.endpoints[match->endpoint];
    out.steps.push_back(fmt::format("region {}: {}", region_text(chain[i]),
                                    describe_endpoint(profile, endpoint, health)));
    if (profile.geo_fallback == GeoFallback::none || is_available(profile, endpoint, health)) {
      out.steps.push_back(profile.geo_fallback == GeoFallback::none
                              ? "the most specific region decides, even when its endpoint is down "
                                "(fallback = \"none\")"
                              : "the most specific region with an available endpoint decides "
                                "(fallback = \"parent_region\")");
      return;
    }
  }
}

void explain_performance(const Profile& profile, const HealthTable& health,
                         const ClientInfo& client, Explanation& out) {
  explain_overrides(profile, health, client, out);
  if (profile.latency.empty()) {
    out.steps.push_back(
        "no latency table: endpoints are ranked by the probes' last round trip from dnsd");
    for (const auto& endpoint : profile.endpoints)
      out.steps.push_back(fmt::format("{} ms: {}", health.load(endpoint.health_id).rtt_ms,
                                      describe_endpoint(profile, endpoint, health)));
    return;
  }
  std::string region;
  for (const auto& range : profile.client_regions)
    if (holds(range.range, client)) region = region_text(range.region);
  if (region.empty() && profile.geoip) {
    RegionCode chain[4];
    const std::size_t regions = region_chain(profile.geoip->locate(client), chain);
    for (std::size_t i = 0; i < regions && region.empty(); ++i)
      for (const auto& row : profile.latency)
        if (row.region == chain[i]) region = region_text(chain[i]);
  }
  out.steps.push_back(
      fmt::format("client {} is in region {}; the lowest latency from there wins, an "
                  "unavailable endpoint passes to the next closest",
                  address_text(client), region.empty() ? "(none known)" : region));
  const auto row =
      std::find_if(profile.latency.begin(), profile.latency.end(),
                   [&](const LatencyRow& r) { return region_text(r.region) == region; });
  for (std::size_t i = 0; i < profile.endpoints.size(); ++i) {
    const auto& endpoint = profile.endpoints[i];
    const bool known =
        row != profile.latency.end() && i < row->ms.size() && row->ms[i] != UINT32_MAX;
    out.steps.push_back(fmt::format(
        "{} ({}): {}", known ? fmt::format("{} ms", row->ms[i]) : std::string("no latency"),
        endpoint.location, describe_endpoint(profile, endpoint, health)));
  }
}

}  // namespace routing::methods
