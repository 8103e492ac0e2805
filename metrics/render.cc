// The /metrics page: one function per family group, in the order the header lists them.
#include "metrics/render.hh"

#include <array>

#include "metrics/exposition.hh"
#include "metrics/process.hh"
#include "metrics/render_routing.hh"

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
             "DNS responses the UDP and TCP query servers sent, one per response, by transport, "
             "response code and question type (truncated responses and rate-limit slips "
             "included; zone transfers and UPDATEs, answered by their own threads, are not).");
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

// Signatures made ahead are not counted here: their number follows from the zones, not the load.
void render_dnssec(Exposition& out, const dnsd::dnssec::CacheCounts& counts) {
  out.family("dnsd_dnssec_signatures_total", "counter",
             "RRSIGs made on the query path: compact denial NSECs of missing names, wildcard "
             "expansions and multi-address answers not signed ahead (one per key).");
  out.sample("dnsd_dnssec_signatures_total", {{"kind", "on_demand"}}, counts.signatures);
  out.family("dnsd_dnssec_denial_cache_total", "counter",
             "Lookups in the per-thread cache of on-demand signatures, by result (a miss signs; "
             "a response rate limiting drops or slips counts neither).");
  out.sample("dnsd_dnssec_denial_cache_total", {{"result", "hit"}}, counts.hits);
  out.sample("dnsd_dnssec_denial_cache_total", {{"result", "miss"}}, counts.misses);
}

void render_probes(Exposition& out, const probe::ProbeCounters& counters) {
  const probe::ProbeTotals totals = counters.totals();
  out.family("dnsd_probe_results_total", "counter",
             "Finished health probes, by outcome (a probe shared by several endpoints counts "
             "once).");
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
}

void render_build(Exposition& out, std::string_view version) {
  out.family("dnsd_build_info", "gauge", "Always 1; the labels say which dnsd build runs.");
  out.sample("dnsd_build_info", {{"version", version}}, std::uint64_t{1});
}

// Prometheus' standard process metrics (client_golang's process collector names and units).
void render_process(Exposition& out) {
  const auto stats = read_process_stats();
  if (!stats) return;
  out.family("process_cpu_seconds_total", "counter",
             "Total user and system CPU time spent in seconds.");
  out.sample("process_cpu_seconds_total", {}, stats->cpu_seconds);
  out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out.sample("process_resident_memory_bytes", {}, stats->resident_bytes);
  out.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  out.sample("process_virtual_memory_bytes", {}, stats->virtual_bytes);
  out.family("process_start_time_seconds", "gauge",
             "Start time of the process since unix epoch in seconds.");
  out.sample("process_start_time_seconds", {}, stats->start_time_unix_s);
  if (stats->open_fds) {
    out.family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.sample("process_open_fds", {}, *stats->open_fds);
  }
  if (stats->max_fds) {
    out.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    out.sample("process_max_fds", {}, *stats->max_fds);
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
  if (!sources.version.empty()) render_build(out, sources.version);
  if (sources.process) render_process(out);
  if (sources.queries) render_queries(out, *sources.queries);
  if (sources.dnstap) render_dnstap(out, *sources.dnstap);
  if (sources.dnssec) render_dnssec(out, *sources.dnssec);
  if (sources.probes) render_probes(out, *sources.probes);
  if (sources.model && sources.health) {
    render_endpoints(out, *sources.model, *sources.health, sources.probes);
    render_profiles(out, *sources.model, *sources.health);
  }
  if (sources.config) render_config(out, *sources.config);
  if (sources.publishing) render_publishing(out, *sources.publishing);
  return out.take();
}

}  // namespace metrics
