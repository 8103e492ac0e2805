// The routing part of /metrics: per endpoint (probe results, transitions, their times, state,
// RTT) and per profile (monitor status, the current answer). One series per configured profile
// and endpoint, whatever the traffic.
#pragma once

#include "metrics/exposition.hh"
#include "probe/probe_counters.hh"
#include "routing/health_table.hh"
#include "routing/model.hh"

namespace metrics {

// `probes` may be null: the per-endpoint probe families are left out.
void render_endpoints(Exposition& out, const routing::Model& model,
                      const routing::HealthTable& health, const probe::ProbeCounters* probes);
void render_profiles(Exposition& out, const routing::Model& model,
                     const routing::HealthTable& health);

}  // namespace metrics
