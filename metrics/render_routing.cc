// Per endpoint and per profile families. Every family loops over the model, so a series exists
// exactly for each configured endpoint (zero counts included, so rate() works from the start).
#include "metrics/render_routing.hh"

#include <array>
#include <chrono>
#include <vector>

#include "routing/availability.hh"
#include "routing/pick.hh"
#include "routing/profile_status.hh"

namespace metrics {
namespace {

using Clock = std::chrono::system_clock;

double unix_seconds(Clock::time_point at) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count()) /
         1e3;
}

// Calls f(profile, endpoint) for every endpoint the health table knows.
template <typename F>
void each_endpoint(const routing::Model& model, const routing::HealthTable& health, F&& f) {
  for (const auto& profile : model.profiles)
    for (const auto& endpoint : profile.endpoints)
      if (endpoint.health_id < health.size()) f(profile, endpoint);
}

const probe::EndpointTotals& totals_of(const probe::EndpointTotalsMap& all,
                                       const routing::Profile& profile,
                                       const routing::Endpoint& endpoint) {
  static const probe::EndpointTotals none{};
  const auto it = all.find(probe::EndpointKeyView{profile.name, endpoint.name});
  return it == all.end() ? none : it->second;
}

void render_probe_counts(Exposition& out, const routing::Model& model,
                         const routing::HealthTable& health, const probe::EndpointTotalsMap& all) {
  out.family("dnsd_endpoint_probe_results_total", "counter",
             "Health probe verdicts per endpoint, by outcome (a probe shared by several "
             "endpoints counts for each).");
  each_endpoint(model, health, [&](const auto& profile, const auto& endpoint) {
    const auto& totals = totals_of(all, profile, endpoint);
    for (std::size_t i = 0; i < probe::k_outcome_names.size(); ++i)
      out.sample("dnsd_endpoint_probe_results_total",
                 {{"profile", profile.name},
                  {"endpoint", endpoint.name},
                  {"outcome", probe::k_outcome_names[i]}},
                 totals.results[i]);
  });
  out.family("dnsd_endpoint_transitions_total", "counter",
             "Endpoint monitor state changes found by probing, by old and new state.");
  each_endpoint(model, health, [&](const auto& profile, const auto& endpoint) {
    const auto& totals = totals_of(all, profile, endpoint);
    for (std::size_t f = 0; f < probe::k_states; ++f)
      for (std::size_t t = 0; t < probe::k_states; ++t)
        if (f != t)
          out.sample("dnsd_endpoint_transitions_total",
                     {{"profile", profile.name},
                      {"endpoint", endpoint.name},
                      {"from", routing::to_string(static_cast<routing::MonitorStatus>(f))},
                      {"to", routing::to_string(static_cast<routing::MonitorStatus>(t))}},
                     totals.transitions[f][t]);
  });
}

// Times: a sample only once the event has happened (an epoch 0 would read as "54 years ago").
void render_probe_times(Exposition& out, const routing::Model& model,
                        const routing::HealthTable& health, const probe::EndpointTotalsMap& all) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 3> k_families{{
      {"dnsd_endpoint_last_transition_timestamp_seconds",
       "Unix time of the endpoint's last monitor state change found by probing (none before "
       "the first)."},
      {"dnsd_endpoint_last_probe_timestamp_seconds",
       "Unix time of the endpoint's last probe verdict (none before the first)."},
      {"dnsd_endpoint_probe_last_success_timestamp_seconds",
       "Unix time of the endpoint's last successful probe, the one dnsd_endpoint_probe_rtt_seconds "
       "comes from: older than a few intervals means that RTT is stale."},
  }};
  for (std::size_t which = 0; which < k_families.size(); ++which) {
    // Named copies, not a structured binding: clang cannot capture a binding in the lambda.
    const auto name = k_families[which].first;
    const auto help = k_families[which].second;
    out.family(name, "gauge", help);
    each_endpoint(model, health, [&](const auto& profile, const auto& endpoint) {
      const auto& totals = totals_of(all, profile, endpoint);
      const Clock::time_point at = which == 0   ? totals.last_transition
                                   : which == 1 ? totals.last_probe
                                                : totals.last_success;
      if (at != Clock::time_point{})
        out.sample(name, {{"profile", profile.name}, {"endpoint", endpoint.name}},
                   unix_seconds(at));
    });
  }
  out.family("dnsd_endpoint_probe_interval_seconds", "gauge",
             "The endpoint's probe interval (its monitor's interval setting).");
  each_endpoint(model, health, [&](const auto& profile, const auto& endpoint) {
    out.sample("dnsd_endpoint_probe_interval_seconds",
               {{"profile", profile.name}, {"endpoint", endpoint.name}},
               static_cast<double>(endpoint.monitor.interval.count()) / 1e3);
  });
}

void render_states(Exposition& out, const routing::Model& model,
                   const routing::HealthTable& health) {
  constexpr std::array<std::string_view, 4> k_states{"CheckingEndpoint", "Online", "Degraded",
                                                     "Disabled"};
  out.family(
      "dnsd_endpoint_state", "gauge",
      "1 for the endpoint's current state (Traffic Manager's monitor states), 0 for the others.");
  each_endpoint(model, health, [&](const auto& profile, const auto& endpoint) {
    const std::string_view now = routing::operator_state(endpoint, health.load(endpoint.health_id));
    for (const auto state : k_states)
      out.sample("dnsd_endpoint_state",
                 {{"profile", profile.name}, {"endpoint", endpoint.name}, {"state", state}},
                 std::uint64_t{now == state ? 1u : 0u});
  });
  out.family("dnsd_endpoint_probe_rtt_seconds", "gauge",
             "Round-trip time of the endpoint's last successful probe (0 before the first); "
             "dnsd_endpoint_probe_last_success_timestamp_seconds tells how old it is.");
  each_endpoint(model, health, [&](const auto& profile, const auto& endpoint) {
    out.sample("dnsd_endpoint_probe_rtt_seconds",
               {{"profile", profile.name}, {"endpoint", endpoint.name}},
               health.load(endpoint.health_id).rtt_ms / 1e3);
  });
}

// The endpoints a query is answered with now. A weighted draw is random per query, so there
// every endpoint in the draw counts; client-dependent methods (subnet, geographic, performance)
// show the answer for a client without an address, as /api/v1/status does.
std::vector<bool> answered_now(const routing::Profile& profile, const routing::HealthTable& health,
                               const routing::Pick& pick) {
  std::vector<bool> answered(profile.endpoints.size(), false);
  if (profile.method == routing::Method::weighted && !pick.all_degraded) {
    for (std::size_t i = 0; i < profile.endpoints.size(); ++i)
      answered[i] = profile.endpoints[i].weight > 0 &&
                    routing::is_available(profile, profile.endpoints[i], health);
    return answered;
  }
  for (std::size_t i = 0; i < pick.count; ++i)
    if (pick.endpoints[i] < answered.size()) answered[pick.endpoints[i]] = true;
  return answered;
}

}  // namespace

void render_endpoints(Exposition& out, const routing::Model& model,
                      const routing::HealthTable& health, const probe::ProbeCounters* probes) {
  if (probes) {
    const probe::EndpointTotalsMap all = probes->endpoint_totals();  // one copy, one lock
    render_probe_counts(out, model, health, all);
    render_probe_times(out, model, health, all);
  }
  render_states(out, model, health);
}

void render_profiles(Exposition& out, const routing::Model& model,
                     const routing::HealthTable& health) {
  constexpr std::array<std::string_view, 5> k_statuses{"Online", "Degraded", "Disabled",
                                                       "CheckingEndpoints", "Inactive"};
  out.family("dnsd_profile_status", "gauge",
             "1 for the profile's monitor status (Traffic Manager's profile states), 0 for the "
             "others.");
  for (const auto& profile : model.profiles) {
    const std::string_view now = routing::profile_monitor_status(profile, health);
    for (const auto status : k_statuses)
      out.sample("dnsd_profile_status", {{"profile", profile.name}, {"status", status}},
                 std::uint64_t{now == status ? 1u : 0u});
  }
  std::vector<routing::Pick> picks;
  picks.reserve(model.profiles.size());
  for (const auto& profile : model.profiles)
    picks.push_back(routing::pick(profile, health, routing::ClientInfo{}));
  out.family("dnsd_profile_answer", "gauge",
             "1 for each endpoint the profile answers with now, 0 for the others (weighted: every "
             "endpoint in the draw; client-dependent methods: the answer to a client without an "
             "address).");
  for (std::size_t p = 0; p < model.profiles.size(); ++p) {
    const auto& profile = model.profiles[p];
    const auto answered = answered_now(profile, health, picks[p]);
    for (std::size_t i = 0; i < profile.endpoints.size(); ++i)
      out.sample("dnsd_profile_answer",
                 {{"profile", profile.name}, {"endpoint", profile.endpoints[i].name}},
                 std::uint64_t{answered[i] ? 1u : 0u});
  }
  out.family("dnsd_profile_all_degraded", "gauge",
             "1 when no endpoint of the profile is available and its all-degraded fallback "
             "answers, else 0.");
  for (std::size_t p = 0; p < model.profiles.size(); ++p)
    out.sample("dnsd_profile_all_degraded", {{"profile", model.profiles[p].name}},
               std::uint64_t{picks[p].all_degraded ? 1u : 0u});
}

}  // namespace metrics
