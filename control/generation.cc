// Generation construction and the carry-over rule of a reload (see generation.hh).
#include "control/generation.hh"

#include <map>
#include <utility>

namespace control {

Generation::Generation(std::unique_ptr<const conf::Config> loaded)
    : config(std::move(loaded)),
      health(config->model.endpoint_count),
      flat(config->model.endpoint_count),
      history(config->model.endpoint_count, config->admin.history) {}

std::unique_ptr<const dnsd::ServingState> serving_state(const Generation& generation) {
  return std::make_unique<const dnsd::ServingState>(
      dnsd::ServingState{&generation.config->server, &generation.config->zones,
                         &generation.config->model, &generation.health, &generation.flat});
}

std::string profile_key(std::string_view name) {
  std::string out(name);
  if (out.empty() || out.back() != '.') out += '.';
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool same_identity(const routing::Endpoint& before, const routing::Endpoint& after) {
  return before.kind == after.kind && before.target == after.target &&
         before.probe_host == after.probe_host && before.monitor == after.monitor;
}

std::size_t carry_over(const Generation& from, Generation& to) {
  std::map<std::pair<std::string, std::string>, const routing::Endpoint*> old;
  for (const auto& profile : from.config->model.profiles)
    for (const auto& endpoint : profile.endpoints)
      old.emplace(std::pair{profile_key(profile.name), endpoint.name}, &endpoint);
  std::size_t carried = 0;
  for (const auto& profile : to.config->model.profiles) {
    for (const auto& endpoint : profile.endpoints) {
      const auto it = old.find(std::pair{profile_key(profile.name), endpoint.name});
      if (it == old.end() || !same_identity(*it->second, endpoint)) continue;
      const routing::EndpointId was = it->second->health_id, now = endpoint.health_id;
      const routing::Health health = from.health.load(was);
      to.health.store_probed(now, health.status, health.reason, health.rtt_ms);
      routing::AddressList addresses;
      if (from.flat.load(was, addresses)) to.flat.store(now, addresses);
      to.history.put(now, from.history.get(was));
      ++carried;
    }
  }
  return carried;
}

}  // namespace control
