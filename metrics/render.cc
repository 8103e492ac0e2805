// The /metrics page: one function per family group, in the order the header lists them.
#include "metrics/render.hh"

#include <array>

#include "metrics/exposition.hh"

namespace metrics {
namespace {

constexpr std::array<dnsd::Transport, 2> k_transports{dnsd::Transport::udp, dnsd::Transport::tcp};
constexpr std::string_view transport_name(dnsd::Transport t) {
  return t == dnsd::Transport::udp ? "udp" : "tcp";
}

void render_queries(Exposition& out, const dnsd::QueryCounters& counters) {
  const std::array<dnsd::QueryTotals, 2> totals{counters.totals(dnsd::Transport::udp),
                                                counters.totals(dnsd::Transport::tcp)};
  out.family("dnsd_queries_total", "counter",
             "DNS responses sent, by transport, response code and query type.");
  for (std::size_t t = 0; t < 2; ++t)
    for (std::size_t r = 0; r < dnsd::k_rcode_names.size(); ++r)
      for (std::size_t q = 0; q < dnsd::k_qtype_names.size(); ++q)
        if (const auto value = totals[t].responses[r][q])
          out.sample("dnsd_queries_total",
                     {{"transport", transport_name(k_transports[t])},
                      {"rcode", dnsd::k_rcode_names[r]},
                      {"qtype", dnsd::k_qtype_names[q]}},
                     value);
  out.family("dnsd_responses_truncated_total", "counter",
             "DNS responses sent with the TC bit set.");
  for (std::size_t t = 0; t < 2; ++t)
    out.sample("dnsd_responses_truncated_total", {{"transport", transport_name(k_transports[t])}},
               totals[t].truncated);
  out.family(
      "dnsd_queries_dropped_total", "counter",
      "Messages that got no response (responses, shorter than a header, oversized datagrams).");
  for (std::size_t t = 0; t < 2; ++t)
    out.sample("dnsd_queries_dropped_total", {{"transport", transport_name(k_transports[t])}},
               totals[t].dropped);
  // UDP only: TCP is never rate limited.
  out.family("dnsd_rrl_responses_total", "counter",
             "UDP responses held back by rate limiting: slipped (sent truncated) or dropped.");
  out.sample("dnsd_rrl_responses_total", {{"action", "slipped"}}, totals[0].rrl_slipped);
  out.sample("dnsd_rrl_responses_total", {{"action", "dropped"}}, totals[0].rrl_dropped);
}

void render_dnstap(Exposition& out, const dnsd::dnstap::Totals& totals) {
  out.family("dnsd_dnstap_sent_total", "counter",
             "dnstap messages handed to the writer thread (AUTH_QUERY and AUTH_RESPONSE).");
  out.sample("dnsd_dnstap_sent_total", {}, totals.sent);
  out.family("dnsd_dnstap_dropped_total", "counter",
             "dnstap messages dropped because the writer was behind (a full queue).");
  out.sample("dnsd_dnstap_dropped_total", {}, totals.dropped);
}

void render_probes(Exposition& out, const probe::ProbeCounters& counters) {
  const probe::ProbeTotals totals = counters.totals();
  out.family("dnsd_probe_results_total", "counter", "Finished health probes, by outcome.");
  for (std::size_t i = 0; i < probe::k_outcome_names.size(); ++i)
    out.sample("dnsd_probe_results_total", {{"outcome", probe::k_outcome_names[i]}},
               totals.results[i]);

  out.family("dnsd_probe_duration_seconds", "histogram",
             "Health probe duration, from start to verdict.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < probe::k_latency_bounds_s.size(); ++i) {
    cumulative += totals.latency_buckets[i];
    const std::string le = format_value(probe::k_latency_bounds_s[i]);
    out.sample("dnsd_probe_duration_seconds_bucket", {{"le", le}}, cumulative);
  }
  // _count is the +Inf bucket by definition; both come from the same reads, so they agree even
  // while probes finish during rendering.
  cumulative += totals.latency_buckets.back();
  out.sample("dnsd_probe_duration_seconds_bucket", {{"le", "+Inf"}}, cumulative);
  out.sample("dnsd_probe_duration_seconds_sum", {},
             static_cast<double>(totals.latency_sum.count()) / 1e6);
  out.sample("dnsd_probe_duration_seconds_count", {}, cumulative);

  out.family("dnsd_endpoint_transitions_total", "counter",
             "Endpoint monitor state changes (one per endpoint changed), by old and new state.");
  for (std::size_t f = 0; f < probe::k_states; ++f)
    for (std::size_t t = 0; t < probe::k_states; ++t)
      if (f != t)
        out.sample("dnsd_endpoint_transitions_total",
                   {{"from", routing::to_string(static_cast<routing::MonitorStatus>(f))},
                    {"to", routing::to_string(static_cast<routing::MonitorStatus>(t))}},
                   totals.transitions[f][t]);
}

void render_endpoints(Exposition& out, const routing::Model& model,
                      const routing::HealthTable& health) {
  constexpr std::array<std::string_view, 4> k_states{"CheckingEndpoint", "Online", "Degraded",
                                                     "Disabled"};
  out.family(
      "dnsd_endpoint_state", "gauge",
      "1 for the endpoint's current state (Traffic Manager's monitor states), 0 for the others.");
  for (const auto& profile : model.profiles)
    for (const auto& endpoint : profile.endpoints) {
      if (endpoint.health_id >= health.size()) continue;
      const std::string_view now =
          routing::operator_state(endpoint, health.load(endpoint.health_id));
      for (const auto state : k_states)
        out.sample("dnsd_endpoint_state",
                   {{"profile", profile.name}, {"endpoint", endpoint.name}, {"state", state}},
                   std::uint64_t{now == state ? 1u : 0u});
    }
  out.family("dnsd_endpoint_probe_rtt_seconds", "gauge",
             "Round-trip time of the endpoint's last successful probe (0 before the first).");
  for (const auto& profile : model.profiles)
    for (const auto& endpoint : profile.endpoints) {
      if (endpoint.health_id >= health.size()) continue;
      const double rtt = health.load(endpoint.health_id).rtt_ms / 1e3;
      out.sample("dnsd_endpoint_probe_rtt_seconds",
                 {{"profile", profile.name}, {"endpoint", endpoint.name}}, rtt);
    }
}

void render_config(Exposition& out, const ConfigStatus& config) {
  out.family("dnsd_config_generation", "gauge",
             "Generation of the config being served (1 at start, +1 per reload).");
  out.sample("dnsd_config_generation", {}, config.generation.load(std::memory_order_relaxed));
  out.family("dnsd_config_last_reload_success", "gauge",
             "1 if the last reload succeeded (or none was tried), else 0.");
  out.sample("dnsd_config_last_reload_success", {},
             std::uint64_t{config.last_reload_ok.load(std::memory_order_relaxed) ? 1u : 0u});
  out.family("dnsd_config_last_reload_timestamp_seconds", "gauge",
             "Unix time of the last reload attempt (0: none).");
  out.sample("dnsd_config_last_reload_timestamp_seconds", {},
             static_cast<double>(config.last_reload_unix_s.load(std::memory_order_relaxed)));
  out.family("dnsd_config_reloads_total", "counter", "Config reloads, by result.");
  out.sample("dnsd_config_reloads_total", {{"result", "success"}},
             config.reloads_ok.load(std::memory_order_relaxed));
  out.sample("dnsd_config_reloads_total", {{"result", "failure"}},
             config.reloads_failed.load(std::memory_order_relaxed));
}

void render_publishing(Exposition& out, const std::vector<ZoneSerials>& zones) {
  out.family("dnsd_zone_serial", "gauge", "The serial of a published zone (transferred).");
  for (const auto& zone : zones)
    out.sample("dnsd_zone_serial", {{"zone", zone.zone}}, std::uint64_t{zone.serial});
  out.family("dnsd_secondary_serial", "gauge",
             "The serial a secondary was last seen to serve (by a transfer or an SOA check).");
  for (const auto& zone : zones)
    for (const auto& s : zone.secondaries)
      if (s.serving)
        out.sample("dnsd_secondary_serial", {{"zone", zone.zone}, {"secondary", s.secondary}},
                   std::uint64_t{*s.serving});
  out.family("dnsd_secondary_acked_serial", "gauge",
             "The last serial a secondary acknowledged a NOTIFY of.");
  for (const auto& zone : zones)
    for (const auto& s : zone.secondaries)
      if (s.acked)
        out.sample("dnsd_secondary_acked_serial", {{"zone", zone.zone}, {"secondary", s.secondary}},
                   std::uint64_t{*s.acked});
  out.family("dnsd_secondary_current", "gauge",
             "1 when the secondary serves the zone's serial or newer, else 0.");
  for (const auto& zone : zones)
    for (const auto& s : zone.secondaries)
      out.sample("dnsd_secondary_current", {{"zone", zone.zone}, {"secondary", s.secondary}},
                 std::uint64_t{s.current ? 1u : 0u});
}

}  // namespace

void ConfigStatus::record_reload(bool ok, std::int64_t unix_s) noexcept {
  if (ok) {
    generation.fetch_add(1, std::memory_order_relaxed);
    reloads_ok.fetch_add(1, std::memory_order_relaxed);
  } else {
    reloads_failed.fetch_add(1, std::memory_order_relaxed);
  }
  last_reload_ok.store(ok, std::memory_order_relaxed);
  last_reload_unix_s.store(unix_s, std::memory_order_relaxed);
}

std::string render_prometheus(const Sources& sources) {
  Exposition out;
  if (sources.queries) render_queries(out, *sources.queries);
  if (sources.dnstap) render_dnstap(out, *sources.dnstap);
  if (sources.probes) render_probes(out, *sources.probes);
  if (sources.model && sources.health) render_endpoints(out, *sources.model, *sources.health);
  if (sources.config) render_config(out, *sources.config);
  if (sources.publishing) render_publishing(out, *sources.publishing);
  return out.take();
}

}  // namespace metrics
