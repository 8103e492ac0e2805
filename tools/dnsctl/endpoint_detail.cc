// `dnsctl status PROFILE ENDPOINT`: one endpoint, one fact per line (see render.hh). The last
// failure is history with its time; a reason is printed as current only while the endpoint is
// not Online.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "tools/dnsctl/json_text.hh"
#include "tools/dnsctl/render.hh"

namespace dnsctl {
namespace {

using nlohmann::json;

std::string line(const char* label, const std::string& value) {
  return fmt::format("  {:<22}{}\n", std::string(label) + ":", value);
}

// "http 503 (HTTP status 503)" from a transition or failure: detail, else the reason code.
std::string why(const json& object) {
  const auto& detail = field(object, "detail");
  if (detail.is_string() && !detail.get<std::string>().empty()) return text(detail);
  return text(field(object, "reason"));
}

// Why the endpoint is in its status now: the last transition into it, else (an older server)
// the last failure while it is Degraded. Nothing while Online: a past failure is not a reason.
std::string current_reason(const json& e) {
  const std::string status = text(field(e, "monitor_status"));
  if (status == "Online") return "";
  const auto& transitions = field(e, "transitions");
  if (transitions.is_array() && !transitions.empty() &&
      text(field(transitions.back(), "to")) == status)
    return why(transitions.back());
  if (status == "Degraded" && field(e, "last_failure").is_object())
    return why(field(e, "last_failure"));
  return "";
}

// "http port 443 path /health, every 10s, timeout 5s, tolerates 3 failures, expects 200".
std::string monitor_text(const json& m) {
  if (!m.is_object()) return "not probed";
  std::string out = text(field(m, "protocol"));
  if (!field(m, "port").is_null()) out += " port " + text(field(m, "port"));
  if (!field(m, "path").is_null()) out += " path " + text(field(m, "path"));
  if (!field(m, "interval_s").is_null()) out += ", every " + text(field(m, "interval_s")) + "s";
  if (!field(m, "timeout_s").is_null()) out += ", timeout " + text(field(m, "timeout_s")) + "s";
  if (!field(m, "tolerated_failures").is_null())
    out += ", tolerates " + text(field(m, "tolerated_failures")) + " failures";
  if (!field(m, "expected_status").is_null())
    out += ", expects " + text(field(m, "expected_status"));
  return out;
}

std::string recent_probes(const json& history) {
  if (!history.is_array() || history.empty()) return "none yet";
  std::string marks;
  for (const auto& h : history) marks += flag(h, "ok", false) ? '+' : 'x';
  const auto& last = history.back();
  std::string outcome = flag(last, "ok", false)
                            ? fmt::format("ok, {}ms", text(field(last, "rtt_ms")))
                            : text(field(last, "reason"));
  if (const auto& http = field(last, "http_status");
      !flag(last, "ok", false) && http.is_number() && http.get<int>() > 0)
    outcome += fmt::format(" (HTTP {})", http.get<int>());
  return fmt::format("{} (oldest first; last at {}: {})", marks, text(field(last, "at")), outcome);
}

std::string transitions_text(const json& transitions) {
  if (!transitions.is_array() || transitions.empty()) return "";
  std::string out = "  transitions (oldest first):\n";
  for (const auto& t : transitions)
    out += fmt::format("    {}  {} -> {}  {}\n", text(field(t, "at")), text(field(t, "from")),
                       text(field(t, "to")), why(t));
  return out;
}

std::string fleet_text(const json& f) {
  if (!f.is_object()) return "";
  std::vector<std::string> views;
  for (const auto& v : field(f, "vantages"))
    views.push_back(text(field(v, "vantage")) + ": " + text(field(v, "state")));
  return line("fleet",
              fmt::format("{} ({}); {}", text(field(f, "state")), text(field(f, "explanation")),
                          views.empty() ? "no votes" : fmt::format("{}", fmt::join(views, "; "))));
}

}  // namespace

std::string render_endpoint(const json& p, const json& e) {
  std::string out = fmt::format(
      "{} {}: target {}, priority {}, weight {}\n", text(field(p, "name")), text(field(e, "name")),
      text(field(e, "target")), text(field(e, "priority")), text(field(e, "weight")));
  out += line("status", status_text(e));
  const auto& since = field(e, "since");
  out += line("monitor status",
              text(field(e, "monitor_status")) + (since.is_null() ? "" : " since " + text(since)));
  if (const std::string reason = current_reason(e); !reason.empty()) out += line("reason", reason);
  bool answered = false;
  for (const auto& name : field(field(p, "answer"), "endpoints"))
    answered = answered || text(name) == text(field(e, "name"));
  out += line("in the answer", answered ? "yes" : "no");
  out += line("last failure", last_failure_text(e));
  out += line("consecutive failures", text(field(e, "consecutive_failures")));
  std::string latency = latency_text(e);
  if (flag(e, "latency_stale", false)) latency += ": no successful probe within 2 intervals";
  out += line("latency", latency);
  out += line("last probe", text(field(e, "last_probe")));
  if (e.contains("monitor")) out += line("monitor", monitor_text(field(e, "monitor")));
  out += line("recent probes", recent_probes(field(e, "history")));
  out += fleet_text(field(e, "fleet"));
  return out + transitions_text(field(e, "transitions"));
}

}  // namespace dnsctl
