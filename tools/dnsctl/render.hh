// Text output of dnsctl: the status table (like the portal's endpoint list), one endpoint in
// detail, explain steps and the secondaries' propagation table.
// Only what the API returns is printed, and the API holds no secrets. Pure (JSON in, text out)
// and clock-free: what is current or stale is the server's word (admin_disabled, latency_stale).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dnsctl {

// Every profile in `status` (GET /api/v1/status): one row per endpoint, then each profile's
// answer and monitor status, the fleet and the last reload.
std::string render_status(const nlohmann::json& status);
// One endpoint of `profile` (an element of status "profiles") in detail: status, since,
// reason, last failure, latency, monitor settings, recent probes, transitions, override.
std::string render_endpoint(const nlohmann::json& profile, const nlohmann::json& endpoint);
std::string render_explain(const nlohmann::json& explanation);
// GET /api/v1/secondaries: one row per zone and secondary, then per zone "serial S, propagated
// to N of M secondaries".
std::string render_secondaries(const nlohmann::json& secondaries);

// The cells of one endpoint, shared by the table and the detail view.
// "Enabled", "Disabled", "Disabled until T2" (a window now) or
// "Enabled, disabled from T1 until T2" (a window to come).
std::string status_text(const nlohmann::json& endpoint);
// "12ms", "12ms (stale)" when latency_stale, "-" before the first probe.
std::string latency_text(const nlohmann::json& endpoint);
// "2026-12-06T03:10:02Z: http 503": history, with its time; "-" when none was seen.
std::string last_failure_text(const nlohmann::json& endpoint);

}  // namespace dnsctl
