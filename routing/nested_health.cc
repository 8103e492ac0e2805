// Nested profiles' derived state (see nested_health.hh for the rules).
#include "routing/nested_health.hh"

namespace routing {

NestedHealth::NestedHealth(const Model& model) : model_(model) {
  owner_of_.assign(model.endpoint_count, 0);
  for (ProfileId p = 0; p < model.profiles.size(); ++p)
    for (std::size_t i = 0; i < model.profiles[p].endpoints.size(); ++i) {
      const Endpoint& endpoint = model.profiles[p].endpoints[i];
      if (endpoint.health_id < owner_of_.size()) owner_of_[endpoint.health_id] = p;
      if (endpoint.kind != TargetKind::profile) continue;
      if (parents_.size() < model.profiles.size()) parents_.resize(model.profiles.size());
      parents_[endpoint.child].push_back(Parent{p, i});
    }
  for (const auto& list : parents_) all_.insert(all_.end(), list.begin(), list.end());
}

std::span<const NestedHealth::Parent> NestedHealth::parents_of_endpoint(
    EndpointId id) const noexcept {
  if (id >= owner_of_.size()) return {};
  return parents_of_profile(owner_of_[id]);
}

std::span<const NestedHealth::Parent> NestedHealth::parents_of_profile(
    ProfileId profile) const noexcept {
  if (profile >= parents_.size()) return {};
  return parents_[profile];
}

MonitorStatus NestedHealth::derive(const Endpoint& nested,
                                   const HealthTable& health) const noexcept {
  const Profile& child = model_.profiles[nested.child];
  if (!child.enabled) return MonitorStatus::stopped;
  std::size_t online = 0, checking = 0, online_v4 = 0, checking_v4 = 0, online_v6 = 0,
              checking_v6 = 0;
  for (const Endpoint& endpoint : child.endpoints) {
    if (!endpoint.enabled) continue;
    const Health state = health.load(endpoint.health_id);
    if (state.admin_disabled) continue;  // off by hand: not available, whatever its probes say
    const bool is_online = endpoint.always_serve || state.status == MonitorStatus::online;
    const bool is_checking = !is_online && state.status == MonitorStatus::checking_endpoint;
    online += is_online;
    checking += is_checking;
    if (endpoint.kind == TargetKind::ipv4) online_v4 += is_online, checking_v4 += is_checking;
    if (endpoint.kind == TargetKind::ipv6) online_v6 += is_online, checking_v6 += is_checking;
  }
  const auto enough = [&](std::size_t all, std::size_t v4, std::size_t v6) {
    return all >= nested.min_child_endpoints && v4 >= nested.min_child_endpoints_ipv4 &&
           v6 >= nested.min_child_endpoints_ipv6;
  };
  if (enough(online, online_v4, online_v6)) return MonitorStatus::online;
  if (enough(online + checking, online_v4 + checking_v4, online_v6 + checking_v6))
    return MonitorStatus::checking_endpoint;
  return MonitorStatus::degraded;
}

}  // namespace routing
