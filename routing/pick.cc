// Method dispatch and the all-degraded fallback, shared by every method.
#include "routing/pick.hh"

#include "routing/availability.hh"
#include "routing/methods/geographic.hh"
#include "routing/methods/multivalue.hh"
#include "routing/methods/performance.hh"
#include "routing/methods/priority.hh"
#include "routing/methods/subnet.hh"
#include "routing/methods/weighted.hh"
#include "routing/random.hh"

namespace routing {

namespace {

// Nothing available: answer as if every enabled endpoint were healthy (Traffic Manager), never
// an empty answer because probes failed. `first` keeps only the top one; `all` keeps every one,
// and the engine answers all that the query type allows (several A/AAAA, a single CNAME).
// Multivalue keeps to the query's family and to max_return.
Pick fallback(const Profile& profile, const HealthTable& health, Want want) noexcept {
  Pick result;
  result.all_degraded = true;
  const bool multivalue = profile.method == Method::multivalue;
  const std::size_t cap = multivalue ? profile.max_return : max_picked;
  for (std::size_t i = 0; i < profile.endpoints.size() && result.count < cap; ++i) {
    if (!is_usable(profile.endpoints[i], health)) continue;
    if (multivalue && !matches(profile.endpoints[i], want)) continue;
    result.endpoints[result.count++] = static_cast<std::uint16_t>(i);
    if (profile.all_degraded == AllDegraded::first) break;
  }
  return result;
}

}  // namespace

Pick pick(const Profile& profile, const HealthTable& health, const ClientInfo& client,
          Want want) noexcept {
  Pick result;
  switch (profile.method) {
    case Method::priority:
      result = methods::pick_priority(profile, health);
      break;
    case Method::weighted:
      result = methods::pick_weighted(profile, health, thread_rng());
      break;
    case Method::multivalue:
      result = methods::pick_multivalue(profile, health, want);
      break;
    case Method::subnet:
      result = methods::pick_subnet(profile, health, client);
      break;
    case Method::geographic:
      result = methods::pick_geographic(profile, health, client);
      break;
    case Method::performance:
      result = methods::pick_performance(profile, health, client);
      break;
  }
  if (result.count == 0 && !result.no_match) {
    const std::uint8_t scope = result.scope_prefix;
    result = fallback(profile, health, want);
    result.scope_prefix = scope;
  }
  return result;
}

}  // namespace routing
