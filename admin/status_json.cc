// JSON for status, explain and reload reports (see status_json.hh).
#include "admin/status_json.hh"

#include <arpa/inet.h>
#include <fmt/format.h>

#include "admin/propagation_json.hh"
#include "control/time_text.hh"
#include "routing/explain.hh"
#include "routing/profile_status.hh"

namespace admin {

using control::format_time;
using control::parse_time;
using control::WallClock;

using nlohmann::json;

namespace {

json time_or_null(bool known, WallClock::time_point at) {
  return known ? json(format_time(at)) : json(nullptr);
}

json history_json(const probe::EndpointRecord& record) {
  json out = json::array();
  for (const auto& r : record.recent) {
    out.push_back({{"at", format_time(r.at)},
                   {"ok", r.ok},
                   {"rtt_ms", r.rtt_ms},
                   {"reason", r.ok ? "none" : routing::to_string(r.reason)},
                   {"http_status", r.http_status}});
  }
  return out;
}

json transitions_json(const probe::EndpointRecord& record) {
  json out = json::array();
  for (const auto& change : record.changes)
    out.push_back({{"at", format_time(change.at)},
                   {"from", routing::to_string(change.from)},
                   {"to", routing::to_string(change.to)},
                   {"reason", routing::to_string(change.reason)},
                   {"detail", change.detail}});
  return out;
}

bool is_probed(const routing::Endpoint& endpoint) {
  return endpoint.enabled && !endpoint.always_serve &&
         endpoint.kind != routing::TargetKind::profile;
}

std::string_view protocol_name(routing::Protocol protocol) {
  switch (protocol) {
    case routing::Protocol::http:
      return "http";
    case routing::Protocol::https:
      return "https";
    case routing::Protocol::tcp:
      return "tcp";
  }
  return "?";
}

// The settings the prober uses for this endpoint (no headers: they may hold secrets).
json monitor_json(const routing::Endpoint& endpoint) {
  if (!is_probed(endpoint)) return nullptr;
  const routing::MonitorSpec& m = endpoint.monitor;
  json expected = json::array();
  for (const auto& range : m.expected_status)
    expected.push_back(range.first == range.last ? fmt::format("{}", range.first)
                                                 : fmt::format("{}-{}", range.first, range.last));
  const auto seconds = [](std::chrono::milliseconds d) { return d.count() / 1000.0; };
  return {{"protocol", protocol_name(m.protocol)},
          {"port", m.port},
          {"path", m.protocol == routing::Protocol::tcp ? json(nullptr) : json(m.path)},
          {"interval_s", seconds(m.interval)},
          {"timeout_s", seconds(m.timeout)},
          {"tolerated_failures", m.tolerated_failures},
          {"expected_status", expected}};
}

// latency_ms is the last successful probe's: stale when none of the recent results is a
// success younger than two intervals (the endpoint is failing, or probing has stalled).
bool latency_stale(const routing::Endpoint& endpoint, const probe::EndpointRecord& record,
                   WallClock::time_point now) {
  for (auto it = record.recent.rbegin(); it != record.recent.rend(); ++it)
    if (it->ok) return now - it->at > 2 * endpoint.monitor.interval;
  return true;
}

json override_json(const control::Override* entry) {
  if (!entry) return nullptr;
  return {{"from", entry->from ? json(format_time(*entry->from)) : json(nullptr)},
          {"until", entry->until ? json(format_time(*entry->until)) : json(nullptr)}};
}

// The fleet's state of one endpoint and each vantage's view; null when dnsd runs alone.
json fleet_json(const control::Fleet* fleet, const std::string& profile,
                const std::string& endpoint) {
  if (!fleet) return nullptr;
  const auto view = fleet->view(profile, endpoint);
  if (!view) return nullptr;
  json vantages = json::array();
  for (const auto& vote : view->votes)
    vantages.push_back(
        {{"vantage", vote.vantage},
         {"state", routing::to_string(vote.status)},
         {"detail", vote.detail},
         {"since", time_or_null(vote.since != WallClock::time_point{}, vote.since)}});
  return {{"connected", fleet->connected()},
          {"rule", fleet->rule_text()},
          {"state", routing::to_string(view->decision.status)},
          {"local", view->decision.local},
          {"explanation", view->decision.explanation},
          {"vantages", vantages}};
}

json endpoint_json(const routing::Profile& profile, const routing::Endpoint& endpoint,
                   const control::Generation& generation, const control::Overrides& overrides,
                   const control::Fleet* fleet) {
  const routing::Health health = generation.health.load(endpoint.health_id);
  const probe::EndpointRecord record = generation.history.get(endpoint.health_id);
  json failure = nullptr;
  // The last failure ever seen, kept as history: its reason is the failure's own, not the
  // health word's (which an Online endpoint still carries from its last failure).
  routing::Reason failure_reason = health.reason;
  for (auto it = record.recent.rbegin(); it != record.recent.rend(); ++it)
    if (!it->ok) {
      failure_reason = it->reason;
      break;
    }
  if (!record.last_failure.empty() || health.reason != routing::Reason::none)
    failure = {{"reason", routing::to_string(failure_reason)},
               {"detail", record.last_failure},
               {"at", time_or_null(!record.last_failure.empty(), record.last_failure_at)}};
  return {{"name", endpoint.name},
          {"target", endpoint.target},
          {"priority", endpoint.priority},
          {"weight", endpoint.weight},
          {"enabled", endpoint.enabled},
          {"state", routing::operator_state(endpoint, health)},
          {"monitor_status", routing::to_string(health.status)},
          {"admin_disabled", health.admin_disabled},
          {"override",
           override_json(overrides.find(control::profile_key(profile.name), endpoint.name))},
          {"available", routing::is_available(profile, endpoint, generation.health)},
          {"last_failure", failure},
          {"last_probe", time_or_null(record.probed, record.last_probe)},
          {"latency_ms", record.probed ? json(health.rtt_ms) : json(nullptr)},
          {"latency_stale", latency_stale(endpoint, record, WallClock::now())},
          {"since", time_or_null(record.since != WallClock::time_point{}, record.since)},
          {"transitions", transitions_json(record)},
          {"monitor", monitor_json(endpoint)},
          {"consecutive_failures", record.tracker.failure_run},
          {"history", history_json(record)},
          {"local_status", routing::to_string(generation.writer.local(endpoint.health_id).status)},
          {"fleet", fleet_json(fleet, control::profile_key(profile.name), endpoint.name)}};
}

// What a query would be answered with now: names for CNAME answers, addresses where flattened.
json answer_json(const routing::Profile& profile, const routing::Pick& pick,
                 const control::Generation& generation) {
  json endpoints = json::array(), targets = json::array();
  for (std::size_t i = 0; i < pick.count; ++i) {
    const auto& endpoint = profile.endpoints[pick.endpoints[i]];
    endpoints.push_back(endpoint.name);
    if (profile.flatten && endpoint.kind == routing::TargetKind::name) {
      routing::AddressList list;
      if (generation.flat.load(endpoint.health_id, list)) {
        char text[INET6_ADDRSTRLEN];
        for (std::size_t a = 0; a < list.v4_count; ++a)
          targets.push_back(inet_ntop(AF_INET, list.v4[a].data(), text, sizeof text));
        for (std::size_t a = 0; a < list.v6_count; ++a)
          targets.push_back(inet_ntop(AF_INET6, list.v6[a].data(), text, sizeof text));
      }
    } else {
      targets.push_back(endpoint.target);
    }
  }
  return {{"endpoints", endpoints}, {"targets", targets}, {"all_degraded", pick.all_degraded}};
}

}  // namespace

namespace {

// conf/ already reports at most 50 errors and a last "and N more" line; this bound is the API's
// own, so that no report, however made, can send a huge body: the first k_max_errors, each cut
// to about k_max_error_bytes, and how many more there were.
json bounded_errors(const std::vector<std::string>& errors) {
  constexpr std::size_t k_max_errors = 64, k_max_error_bytes = 200;
  json out = json::array();
  for (std::size_t i = 0; i < errors.size() && i < k_max_errors; ++i) {
    const std::string& error = errors[i];
    if (error.size() <= k_max_error_bytes) {
      out.push_back(error);
      continue;
    }
    std::size_t cut = k_max_error_bytes;
    while (cut > 0 && (static_cast<unsigned char>(error[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    out.push_back(error.substr(0, cut) + "…");
  }
  if (errors.size() > k_max_errors)
    out.push_back(fmt::format("and {} more errors", errors.size() - k_max_errors));
  return out;
}

}  // namespace

json reload_json(const control::ReloadReport& report) {
  if (report.at == WallClock::time_point{}) return nullptr;
  return {{"at", format_time(report.at)},
          {"ok", report.ok},
          {"errors", bounded_errors(report.errors)},
          {"endpoints", report.endpoints},
          {"carried", report.carried}};
}

json status_json(const control::Runtime& runtime) {
  json profiles = json::array();
  runtime.inspect([&](const control::Generation& generation, const control::Overrides& overrides) {
    for (const auto& profile : generation.config->model.profiles) {
      json endpoints = json::array();
      for (const auto& endpoint : profile.endpoints)
        endpoints.push_back(
            endpoint_json(profile, endpoint, generation, overrides, runtime.fleet()));
      const routing::Pick pick = routing::pick(profile, generation.health, routing::ClientInfo{});
      profiles.push_back(
          {{"name", profile.name},
           {"method", routing::to_string(profile.method)},
           {"ttl", profile.ttl},
           {"monitor_status", routing::profile_monitor_status(profile, generation.health)},
           {"answer", answer_json(profile, pick, generation)},
           {"endpoints", endpoints}});
    }
  });
  json fleet = nullptr;
  if (const control::Fleet* f = runtime.fleet())
    fleet = {{"instance", f->config().name},
             {"vantage", f->config().vantage},
             {"rule", f->rule_text()},
             {"connected", f->connected()}};
  return {{"now", format_time(WallClock::now())},
          {"fleet", fleet},
          {"last_reload", reload_json(runtime.last_reload())},
          {"profiles", profiles},
          {"publishing", propagation_json(runtime.publishing().propagation())}};
}

std::optional<json> explain_json(const control::Runtime& runtime, const std::string& profile_name,
                                 const routing::ClientInfo& client, std::string* error) {
  std::optional<json> out;
  runtime.inspect([&](const control::Generation& generation, const control::Overrides&) {
    const std::string key = control::profile_key(profile_name);
    for (const auto& profile : generation.config->model.profiles) {
      if (control::profile_key(profile.name) != key) continue;
      const routing::Explanation why = routing::explain(profile, generation.health, client);
      out = json{{"profile", profile.name},
                 {"method", routing::to_string(profile.method)},
                 {"steps", why.steps},
                 {"answer", answer_json(profile, why.pick, generation)}};
      // With a fleet: the rule and the votes behind each endpoint's state.
      if (const control::Fleet* fleet = runtime.fleet()) {
        json votes = json::array();
        for (const auto& endpoint : profile.endpoints)
          if (const auto view = fleet->view(key, endpoint.name))
            votes.push_back(fmt::format("{}: {}", endpoint.name, view->decision.explanation));
        (*out)["fleet"] = {{"rule", fleet->rule_text()}, {"votes", votes}};
      }
      return;
    }
    *error = "no profile " + key;
  });
  return out;
}

}  // namespace admin
