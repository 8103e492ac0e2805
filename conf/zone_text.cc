// zones_as_master_text: each built zone walked in transfer order (dnsd::zone::Zone
// for_each_rrset), its records printed with dnsd/wire's rdata text, its profiles through
// routing's explain() and pick(), so the printout says what the server itself would answer.
#include "conf/zone_text.hh"

#include <fmt/format.h>

#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"
#include "routing/explain.hh"
#include "routing/health_table.hh"
#include "routing/pick.hh"

namespace conf {
namespace {

namespace rrtype = dnsd::wire::rrtype;

void put_rrset(std::string& out, const std::string& owner, const dnsd::zone::RRset& rrset) {
  const std::string type = dnsd::wire::type_to_text(rrset.type);
  for (const auto rdata : rrset.rdatas)
    out += fmt::format("{}\t{}\tIN\t{}\t{}\n", owner, rrset.ttl, type,
                       dnsd::wire::rdata_to_text(rrset.type, rdata));
}

// The records a profile answers with before any probe result; comments where the answer is
// not a record of its own (a nested profile, a flattened name, NXDOMAIN, NODATA).
void put_profile_answer(std::string& out, const routing::Profile& profile,
                        const routing::Pick& pick) {
  if (!profile.enabled) {
    out += "; disabled: answers NXDOMAIN\n";
    return;
  }
  if (pick.no_match || pick.count == 0) {
    out += "; no endpoint for this client: answers NODATA\n";
    return;
  }
  for (std::uint8_t i = 0; i < pick.count; ++i) {
    const auto& endpoint = profile.endpoints[pick.endpoints[i]];
    switch (endpoint.kind) {
      case routing::TargetKind::ipv4:
      case routing::TargetKind::ipv6:
        out +=
            fmt::format("{}\t{}\tIN\t{}\t{}\n", profile.name, profile.ttl,
                        endpoint.kind == routing::TargetKind::ipv4 ? "A" : "AAAA", endpoint.target);
        break;
      case routing::TargetKind::name:
        if (profile.flatten) {
          out += fmt::format("; A/AAAA of {} (flattened: the addresses the probes resolve)\n",
                             endpoint.target);
        } else {
          out += fmt::format("{}\t{}\tIN\tCNAME\t{}\n", profile.name, profile.ttl, endpoint.target);
          return;  // one CNAME per name (RFC 1034 §3.6.2)
        }
        break;
      case routing::TargetKind::profile:
        out += fmt::format("; answers as the nested profile {}\n", endpoint.target);
        break;
    }
  }
}

void put_profile(std::string& out, const routing::Profile& profile,
                 const routing::HealthTable& health) {
  out += fmt::format("; profile {}: method {}, ttl {}, {} endpoint{}\n", profile.name,
                     routing::to_string(profile.method), profile.ttl, profile.endpoints.size(),
                     profile.endpoints.size() == 1 ? "" : "s");
  const routing::ClientInfo client{};
  const auto explanation = routing::explain(profile, health, client);
  out += "; before any probe result:\n";
  for (const auto& step : explanation.steps) out += fmt::format(";   {}\n", step);
  put_profile_answer(out, profile, routing::pick(profile, health, client));
}

void put_zone(std::string& out, const dnsd::zone::Zone& zone, const routing::Model& model,
              const routing::HealthTable& health) {
  const std::string origin = zone.origin().to_text();
  out += fmt::format("; zone {}\n$ORIGIN {}\n", origin, origin);
  // The SOA first: a master file's first record (RFC 1035 §5.2).
  if (const auto* soa = zone.apex().find(rrtype::soa)) put_rrset(out, origin, *soa);
  for (const auto& node : zone.nodes()) {
    const std::string owner = node.owner.to_text();
    for (const auto& rrset : node.rrsets)
      if (!(&node == &zone.apex() && rrset.type == rrtype::soa)) put_rrset(out, owner, rrset);
    if (node.profile && *node.profile < model.profiles.size())
      put_profile(out, model.profiles[*node.profile], health);
  }
}

}  // namespace

std::string zones_as_master_text(const Config& config) {
  // A fresh table: every endpoint CheckingEndpoint, as at start.
  const routing::HealthTable health(config.model.endpoint_count);
  std::string out;
  for (const auto& zone : config.zones.zones()) {
    if (!out.empty()) out += '\n';
    put_zone(out, *zone, config.model, health);
  }
  return out;
}

}  // namespace conf
