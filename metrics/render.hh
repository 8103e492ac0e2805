// GET /metrics: everything dnsd counts, rendered in the Prometheus text format.
//   dnsd_build_info{version}                       1
//   process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
//   process_open_fds, process_max_fds, process_start_time_seconds   from /proc/self
//   dnsd_queries_total{transport,rcode,qtype}      responses the query servers sent (only
//                                                  combinations seen)
//   dnsd_responses_truncated_total{transport}      responses sent with TC
//   dnsd_queries_dropped_total{transport}          queries that got no response
//   dnsd_probe_results_total{outcome}              ok, timeout, refused, tls, dns, status, body,
//                                                  other (one per probe, shared probes once)
//   dnsd_probe_duration_seconds                    histogram: probe start to verdict
//   dnsd_endpoint_probe_results_total{profile,endpoint,outcome}   per endpoint probed
//   dnsd_endpoint_transitions_total{profile,endpoint,from,to}     monitor state changes
//   dnsd_endpoint_last_transition_timestamp_seconds{profile,endpoint}
//   dnsd_endpoint_last_probe_timestamp_seconds{profile,endpoint}
//   dnsd_endpoint_probe_last_success_timestamp_seconds{profile,endpoint}
//   dnsd_endpoint_probe_interval_seconds{profile,endpoint}        the monitor's interval
//   dnsd_endpoint_state{profile,endpoint,state}    1 for the endpoint's operator state, else 0
//   dnsd_endpoint_probe_rtt_seconds{profile,endpoint}  RTT of the last successful probe
//   dnsd_profile_status{profile,status}            1 for the profile's monitor status, else 0
//   dnsd_profile_answer{profile,endpoint}          1 for the endpoints answered now, else 0
//   dnsd_profile_all_degraded{profile}             1 when the answer is the all-degraded fallback
//   dnsd_config_generation, dnsd_config_last_reload_success,
//   dnsd_config_last_reload_timestamp_seconds, dnsd_config_reloads_total{result}
//   dnsd_zone_serial{zone}                         a published zone's serial
//   dnsd_secondary_serial{zone,secondary}          the serial it was last seen to serve
//   dnsd_secondary_acked_serial{zone,secondary}    the last serial it acknowledged (NOTIFY)
//   dnsd_secondary_current{zone,secondary}         1 when it serves the zone's serial or newer
//   dnsd_dnstap_sent_total, dnsd_dnstap_dropped_total  dnstap messages (only when [dnstap] is on)
//   dnsd_dnssec_signatures_total{kind="on_demand"}     RRSIGs made on the query path
//   dnsd_dnssec_denial_cache_total{result}         on-demand signature lookups: hit, miss
// Labels hold only names from the config (profiles, endpoints, zones, secondaries), never
// client data, so the number of series is bounded by the config.
// The renderer reads counters and atomics, and takes the probe counters' and history's locks
// (probe side); it takes no lock the query path could wait on.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/dnssec/on_demand.hh"
#include "dnsd/dnstap/totals.hh"
#include "dnsd/query_counters.hh"
#include "probe/probe_counters.hh"
#include "routing/health_table.hh"
#include "routing/model.hh"

namespace metrics {

// Config generation and reload outcome: plain atomics, written by the reload code (any thread),
// read by render_prometheus(). Generation 1 is the config dnsd started with.
struct ConfigStatus {
  std::atomic<std::uint64_t> generation{1};
  std::atomic<bool> last_reload_ok{true};           // true until a reload fails
  std::atomic<std::int64_t> last_reload_unix_s{0};  // 0: no reload yet
  std::atomic<std::uint64_t> reloads_ok{0};
  std::atomic<std::uint64_t> reloads_failed{0};

  // A reload finished: `ok` with the new generation now serving, or failed (generation kept).
  void record_reload(bool ok, std::int64_t unix_s) noexcept;
};

// A published zone and how far its serial has reached, copied from control::Publishing by the
// daemon (control/ sits above metrics/). Unknown serials are left out of the page.
struct SecondarySerials {
  std::string secondary;  // "127.0.0.1:53"
  std::optional<std::uint32_t> serving;
  std::optional<std::uint32_t> acked;
  bool current = false;
};
struct ZoneSerials {
  std::string zone;  // "tm.example.com."
  std::uint32_t serial = 0;
  std::vector<SecondarySerials> secondaries;
};

// Where the numbers come from; any pointer may be null (that part is left out). The model and
// health table must stay valid for the call (the current ServingState's, say).
struct Sources {
  const dnsd::QueryCounters* queries = nullptr;
  const probe::ProbeCounters* probes = nullptr;
  const routing::Model* model = nullptr;
  const routing::HealthTable* health = nullptr;
  const ConfigStatus* config = nullptr;
  const std::vector<ZoneSerials>* publishing = nullptr;
  const dnsd::dnstap::Totals* dnstap = nullptr;  // null when dnstap is off
  std::string_view version;                      // empty: no dnsd_build_info
  bool process = false;                          // process_* from /proc/self
  // dnssec::on_demand_totals(), read by the caller (metrics/ does not link the signer).
  std::optional<dnsd::dnssec::CacheCounts> dnssec;
};

// Content-Type: text/plain; version=0.0.4; charset=utf-8
inline constexpr const char* k_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string render_prometheus(const Sources& sources);

}  // namespace metrics
