// Probe counters: slots, buckets, relaxed adds.
#include "probe/probe_counters.hh"

#include <algorithm>

namespace probe {

std::size_t outcome_slot(bool ok, routing::Reason reason) noexcept {
  if (ok) return 0;
  const auto index = static_cast<std::size_t>(reason);
  // Reason::none (a failure without a reason) and anything unknown count as "other".
  return index == 0 || index >= k_outcome_names.size() ? k_outcome_names.size() - 1 : index;
}

std::size_t latency_bucket(std::chrono::microseconds latency) noexcept {
  const double seconds = static_cast<double>(latency.count()) / 1e6;
  // Prometheus buckets are upper-inclusive (le): a latency equal to a bound belongs to it.
  const auto it = std::lower_bound(k_latency_bounds_s.begin(), k_latency_bounds_s.end(), seconds);
  return static_cast<std::size_t>(it - k_latency_bounds_s.begin());
}

void ProbeCounters::record_result(bool ok, routing::Reason reason,
                                  std::chrono::microseconds latency) noexcept {
  results_[outcome_slot(ok, reason)].fetch_add(1, std::memory_order_relaxed);
  if (latency.count() < 0) latency = std::chrono::microseconds(0);
  buckets_[latency_bucket(latency)].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void ProbeCounters::record_transition(routing::MonitorStatus from,
                                      routing::MonitorStatus to) noexcept {
  const auto f = static_cast<std::size_t>(from), t = static_cast<std::size_t>(to);
  if (f < k_states && t < k_states) transitions_[f][t].fetch_add(1, std::memory_order_relaxed);
}

ProbeTotals ProbeCounters::totals() const noexcept {
  ProbeTotals out;
  for (std::size_t i = 0; i < results_.size(); ++i)
    out.results[i] = results_[i].load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < buckets_.size(); ++i)
    out.latency_buckets[i] = buckets_[i].load(std::memory_order_relaxed);
  out.latency_count = latency_count_.load(std::memory_order_relaxed);
  out.latency_sum = std::chrono::microseconds(latency_sum_us_.load(std::memory_order_relaxed));
  for (std::size_t f = 0; f < k_states; ++f)
    for (std::size_t t = 0; t < k_states; ++t)
      out.transitions[f][t] = transitions_[f][t].load(std::memory_order_relaxed);
  return out;
}

void ProbeCounters::record_endpoint(std::string_view profile, std::string_view endpoint,
                                    const EndpointVerdict& verdict) {
  const std::lock_guard lock(endpoints_mutex_);
  auto it = endpoints_.find(EndpointKeyView{profile, endpoint});
  if (it == endpoints_.end())
    it = endpoints_
             .emplace(EndpointKey{std::string(profile), std::string(endpoint)}, EndpointTotals{})
             .first;
  EndpointTotals& totals = it->second;
  ++totals.results[outcome_slot(verdict.ok, verdict.reason)];
  totals.last_probe = verdict.at;
  if (verdict.ok) totals.last_success = verdict.at;
  const auto f = static_cast<std::size_t>(verdict.from), t = static_cast<std::size_t>(verdict.to);
  if (verdict.changed && f < k_states && t < k_states) {
    ++totals.transitions[f][t];
    totals.last_transition = verdict.at;
  }
}

EndpointTotalsMap ProbeCounters::endpoint_totals() const {
  const std::lock_guard lock(endpoints_mutex_);
  return endpoints_;
}

void ProbeCounters::keep_only(const routing::Model& model) {
  const std::lock_guard lock(endpoints_mutex_);
  for (auto it = endpoints_.begin(); it != endpoints_.end();) {
    bool configured = false;
    for (const auto& profile : model.profiles)
      if (profile.name == it->first.profile)
        for (const auto& endpoint : profile.endpoints)
          configured = configured || endpoint.name == it->first.endpoint;
    it = configured ? std::next(it) : endpoints_.erase(it);
  }
}

}  // namespace probe
