// Generation construction and the carry-over rule of a reload (see generation.hh).
#include "control/generation.hh"

#include <map>
#include <utility>

namespace control {

dnsd::ServerConfig server_config(const conf::ServerSection& section) {
  dnsd::ServerConfig server;
  server.listen.clear();
  for (const auto& listen : section.listen) server.listen.push_back({listen.address, listen.port});
  server.workers = section.workers;
  server.udp_payload = section.udp_payload;
  server.tcp_idle_timeout = section.tcp_idle_timeout;
  server.tcp_io_timeout = section.tcp_io_timeout;
  server.tcp_max_connections = section.tcp_max_connections;
  server.tcp_max_connections_per_client = section.tcp_max_connections_per_client;
  server.chaos_version = section.chaos_version;
  server.chaos_identity = section.chaos_identity;
  server.user = section.user;
  server.max_transfers = section.max_transfers;
  return server;
}

Generation::Generation(std::unique_ptr<const conf::Config> loaded)
    : config(std::move(loaded)),
      server(server_config(config->server)),
      health(config->model.endpoint_count),
      flat(config->model.endpoint_count),
      history(config->model.endpoint_count, config->admin.history),
      serials(config->zones),
      served(dnsd::make_serving_state({&server, &config->zones, &config->model, &health, &flat})) {
  served.state.serials = &serials;
}

std::unique_ptr<const dnsd::ServingState> serving_state(const Generation& generation) {
  return std::make_unique<const dnsd::ServingState>(generation.served.state);
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
      to.writer.restore(now, health.status, health.reason, health.rtt_ms);
      routing::AddressList addresses;
      if (from.flat.load(was, addresses)) to.flat.store(now, addresses);
      to.history.put(now, from.history.get(was));
      ++carried;
    }
  }
  return carried;
}

}  // namespace control
