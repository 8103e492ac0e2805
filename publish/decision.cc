// Decisions as records (see decision.hh). The family runs mirror dnsd/profile_answer.cc: pick()
// for an A query, then for an AAAA query; the first picked endpoint's kind decides between a
// nested profile, a CNAME and addresses. Weighted replaces the random draw by one fixed choice.
#include "publish/decision.hh"

#include <algorithm>

#include "dnsd/wire/types.hh"
#include "routing/availability.hh"
#include "routing/pick.hh"

namespace publish {
namespace {

namespace rrtype = dnsd::wire::rrtype;
using dnsd::zone::Record;
using routing::Endpoint;
using routing::Profile;
using routing::TargetKind;
using routing::Want;

const ProfileTransfer default_transfer{};

// What one family's run found: a CNAME target, or addresses of that family.
struct Found {
  const Endpoint* cname = nullptr;
  std::uint32_t ttl = 0;
  std::vector<std::vector<std::uint8_t>> addresses;
};

// Weighted, when something is available: the heaviest available endpoint, or every one.
std::vector<std::uint16_t> weighted_choice(const Profile& profile,
                                           const routing::HealthTable& health,
                                           WeightedChoice choice) {
  std::vector<std::uint16_t> chosen;
  for (std::size_t i = 0; i < profile.endpoints.size(); ++i) {
    const Endpoint& endpoint = profile.endpoints[i];
    if (!routing::is_available(profile, endpoint, health)) continue;
    const auto index = static_cast<std::uint16_t>(i);
    if (choice == WeightedChoice::all)
      chosen.push_back(index);
    else if (chosen.empty() || endpoint.weight > profile.endpoints[chosen[0]].weight)
      chosen.assign(1, index);
  }
  return chosen;
}

// The endpoints a query of this family would be answered with, in answer order.
std::vector<std::uint16_t> choose(const Sources& sources, routing::ProfileId id, Want want) {
  const Profile& profile = sources.model->profiles[id];
  const ProfileTransfer& transfer = sources.transfer(id);
  const routing::Pick pick = routing::pick(profile, *sources.health, transfer.client, want);
  // Nothing available: the all-degraded fallback stands, exactly as for a query.
  if (profile.method == routing::Method::weighted && !pick.all_degraded)
    return weighted_choice(profile, *sources.health, transfer.weighted);
  return {pick.endpoints.begin(), pick.endpoints.begin() + pick.count};
}

void add_address(Found& found, const std::uint8_t* bytes, std::size_t size) {
  std::vector<std::uint8_t> address(bytes, bytes + size);
  if (std::find(found.addresses.begin(), found.addresses.end(), address) == found.addresses.end())
    found.addresses.push_back(std::move(address));
}

// Addresses of one family of the chosen endpoints (profile_answer.cc put_addresses): an FQDN
// endpoint not resolved yet answers nothing when it comes first (dnsd: SERVFAIL), else is skipped.
void collect_addresses(const Sources& sources, const Profile& profile,
                       const std::vector<std::uint16_t>& chosen, Want want, Found& found) {
  const bool v6 = want == Want::ipv6;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const Endpoint& endpoint = profile.endpoints[chosen[i]];
    if (endpoint.kind == TargetKind::name) {
      routing::AddressList list;
      if (!sources.flat || endpoint.health_id >= sources.flat->size() ||
          !sources.flat->load(endpoint.health_id, list)) {
        if (i == 0) return;
        continue;
      }
      const std::size_t count = v6 ? list.v6_count : list.v4_count;
      for (std::size_t k = 0; k < count; ++k)
        add_address(found, v6 ? list.v6[k].data() : list.v4[k].data(), v6 ? 16 : 4);
    } else if (endpoint.kind != TargetKind::profile && (endpoint.kind == TargetKind::ipv6) == v6) {
      add_address(found, endpoint.address.data(), v6 ? 16 : 4);
    }
  }
}

// One family's run from profile `id` down to the leaf (profile_answer.cc answer_profile_at).
Found run(const Sources& sources, routing::ProfileId id, Want want, bool at_apex) {
  Found found;
  for (std::size_t depth = 0; depth < routing::max_nesting; ++depth) {
    const Profile& profile = sources.model->profiles[id];
    if (!profile.enabled) return found;  // a disabled profile does not exist for clients
    const std::vector<std::uint16_t> chosen = choose(sources, id, want);
    if (chosen.empty()) return found;  // every endpoint disabled: no data
    const Endpoint& first = profile.endpoints[chosen[0]];
    if (first.kind == TargetKind::profile) {  // the child answers under the parent's name
      id = first.child;
      continue;
    }
    found.ttl = profile.ttl;
    // A CNAME may not sit at a zone apex (RFC 1034 §3.6.2): there only addresses are given.
    if (first.kind == TargetKind::name && !profile.flatten && !at_apex) {
      found.cname = &first;  // one CNAME per name (RFC 2181 §10.1): the first pick
      return found;
    }
    collect_addresses(sources, profile, chosen, want, found);
    return found;
  }
  return found;  // deeper than conf/ allows: nothing, as dnsd answers SERVFAIL
}

}  // namespace

const ProfileTransfer& Sources::transfer(routing::ProfileId id) const noexcept {
  if (settings && id < settings->profiles.size()) return settings->profiles[id];
  return default_transfer;
}

std::vector<Record> decide(const Sources& sources, routing::ProfileId id,
                           const dnsd::wire::Name& owner, bool at_apex) {
  std::vector<Record> records;
  const Found v4 = run(sources, id, Want::ipv4, at_apex);
  const Found v6 = v4.cname ? Found{} : run(sources, id, Want::ipv6, at_apex);
  if (const Found* cname = v4.cname ? &v4 : (v6.cname && v4.addresses.empty() ? &v6 : nullptr)) {
    records.push_back(Record{owner, rrtype::cname, cname->ttl, cname->cname->target_wire});
    return records;
  }
  for (const auto& address : v4.addresses)
    records.push_back(Record{owner, rrtype::a, v4.ttl, address});
  for (const auto& address : v6.addresses)
    records.push_back(Record{owner, rrtype::aaaa, v6.ttl, address});
  return records;
}

}  // namespace publish
