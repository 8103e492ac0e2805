// Plan: model -> deduplicated probes and flatten lookups (see plan.hh for the rules).
#include "probe/plan.hh"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace probe {

std::string normalize_host(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out(host);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_address_literal(std::string_view host) {
  const std::string text(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

namespace {

// Probes bucketed by "host:port", then compared on the whole MonitorSpec: linear only within
// a bucket, so a large model stays near O(n).
class ProbeIndex {
 public:
  explicit ProbeIndex(Plan& plan) : plan_(plan) {}

  ProbeTarget& find_or_add(const std::string& host, const routing::MonitorSpec& monitor) {
    auto& bucket = buckets_[host + ":" + std::to_string(monitor.port)];
    for (auto index : bucket)
      if (plan_.probes[index].monitor == monitor) return plan_.probes[index];
    bucket.push_back(plan_.probes.size());
    auto& probe = plan_.probes.emplace_back();
    probe.host = host;
    probe.host_is_address = is_address_literal(host);
    probe.monitor = monitor;
    return probe;
  }

 private:
  Plan& plan_;
  std::unordered_map<std::string, std::vector<std::size_t>> buckets_;
};

}  // namespace

Plan make_plan(const routing::Model& model) {
  Plan plan;
  ProbeIndex probes(plan);
  std::unordered_map<std::string, std::size_t> flats;
  for (const auto& profile : model.profiles) {
    for (const auto& endpoint : profile.endpoints) {
      if (!endpoint.enabled) continue;
      if (endpoint.kind == routing::TargetKind::profile) continue;  // derived, see NestedHealth
      const bool probed = !endpoint.always_serve;  // always_serve: answered unprobed
      const auto host =
          normalize_host(endpoint.probe_host.empty() ? endpoint.target : endpoint.probe_host);
      if (probed)
        probes.find_or_add(host, endpoint.monitor)
            .subscribers.push_back(Subscriber{endpoint.health_id, profile.name, endpoint.name});

      if (!profile.flatten || endpoint.kind != routing::TargetKind::name) continue;
      const auto name = normalize_host(endpoint.target) + ".";
      auto [it, added] = flats.try_emplace(name, plan.flats.size());
      if (added) plan.flats.push_back(FlatTarget{name, {}});
      plan.flats[it->second].subscribers.push_back(FlatSubscriber{endpoint.health_id, profile.ttl});
    }
  }
  return plan;
}

std::vector<std::string> plain_http_credential_warnings(const Plan& plan) {
  std::vector<std::string> lines;
  for (const auto& probe : plan.probes) {
    const auto& monitor = probe.monitor;
    if (monitor.protocol != routing::Protocol::http || monitor.headers.empty()) continue;
    std::string names;
    for (const auto& header : monitor.headers) names += (names.empty() ? "" : ", ") + header.name;
    for (const auto& who : probe.subscribers)
      lines.push_back(fmt::format("probe: profile={} endpoint={} sends {} over plain http",
                                  who.profile, who.endpoint, names));
  }
  return lines;
}

}  // namespace probe
