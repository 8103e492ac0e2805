// Generation construction and the carry-over rule of a reload (see generation.hh).
#include "control/generation.hh"

#include <fmt/format.h>

#include <ctime>
#include <map>
#include <random>
#include <utility>

namespace control {
namespace {

// Without a configured secret, one random secret per process (RFC 7873 §7.1): picked at the
// first load and kept across reloads, so a reload does not invalidate every client's cookie.
const dnsd::cookies::Secret& process_cookie_secret() {
  static const dnsd::cookies::Secret secret = [] {
    std::random_device random;  // the kernel's CSPRNG (getrandom / /dev/urandom) on Linux
    dnsd::cookies::Secret out{};
    for (auto& byte : out) byte = static_cast<std::uint8_t>(random());
    return out;
  }();
  return secret;
}

}  // namespace

dnsd::RrlConfig rrl_config(const conf::RrlSection& section) {
  dnsd::RrlConfig rrl;
  rrl.enabled = section.enabled;
  rrl.rate = section.rate;
  rrl.window = section.window;
  rrl.slip = section.slip;
  rrl.ipv4_prefix = section.ipv4_prefix;
  rrl.ipv6_prefix = section.ipv6_prefix;
  rrl.exempt = section.exempt;
  rrl.table_size = section.table_size;
  return rrl;
}

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
  server.cookies_enabled = section.cookies.enabled;
  server.cookie_secrets.current = section.cookies.secret.value_or(process_cookie_secret());
  server.cookie_secrets.previous = section.cookies.previous_secret;
  return server;
}

dnsd::ServerConfig server_config(const conf::ServerSection& section, const conf::RrlSection& rrl) {
  dnsd::ServerConfig server = server_config(section);
  server.rrl = rrl_config(rrl);
  return server;
}

namespace {

// Every zone of `config` rebuilt with its overlay; a zone whose overlay does not build with it
// is served as the config has it, and said so in `warnings`.
std::unique_ptr<dnsd::zone::ZoneSet> merge_zones(const conf::Config& config,
                                                 const dnsd::update::Overlays* overlays,
                                                 std::vector<std::string>& warnings) {
  if (!overlays || overlays->empty()) return nullptr;
  auto merged = std::make_unique<dnsd::zone::ZoneSet>();
  for (const auto& zone : config.zones.zones()) {
    const auto* overlay = dnsd::update::find_overlay(*overlays, zone->origin().lowercased());
    auto built = dnsd::update::merge_zone(*zone, overlay);
    if (!built.zone && overlay) {
      warnings.push_back(fmt::format("zone {}: its dynamic records are not served: {}",
                                     zone->origin().to_text(), built.errors.front()));
      built = dnsd::update::merge_zone(*zone, nullptr);
    }
    merged->add(std::move(built.zone));
  }
  return merged;
}

}  // namespace

Generation::Generation(std::shared_ptr<const conf::Config> loaded,
                       std::shared_ptr<const dnsd::update::Overlays> overlays_in)
    : config(std::move(loaded)),
      overlays(std::move(overlays_in)),
      merged(merge_zones(*config, overlays.get(), overlay_warnings)),
      server(server_config(config->server, config->rrl)),
      health(config->model.endpoint_count),
      flat(config->model.endpoint_count),
      history(config->model.endpoint_count, config->admin.history),
      serials(zones()),
      served(dnsd::make_serving_state({&server, &zones(), &config->model, &health, &flat,
                                       config->dnssec,
                                       static_cast<std::int64_t>(std::time(nullptr))})) {
  served.state.serials = &serials;
  served.state.keys = &config->keys;
  for (const auto& error : served.signing_errors)
    overlay_warnings.push_back(fmt::format("dnssec: served unsigned: {}", error));
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
