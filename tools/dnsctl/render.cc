// Plain-text tables with columns sized to their content.
#include "tools/dnsctl/render.hh"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <vector>

#include "tools/dnsctl/json_text.hh"

namespace dnsctl {
namespace {

using nlohmann::json;
using Row = std::vector<std::string>;

std::string table(const std::vector<Row>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], row[c].size());
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c)
      line += c + 1 == row.size() ? row[c] : fmt::format("{:<{}}  ", row[c], width[c]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string recent(const json& history) {
  std::string out;
  for (const auto& h : history) out += flag(h, "ok", false) ? '+' : 'x';
  return out.empty() ? "-" : out;
}

// "fleet eu-west/dns-1 (majority, connected)" and, per endpoint, each vantage's view:
// "  ci.tm.test./eu: Online; eu-west: Degraded, http 503, since 10:02:11Z; us-east: Online".
std::string render_fleet(const json& status) {
  const auto& fleet = field(status, "fleet");
  if (!fleet.is_object()) return "";
  std::string out = fmt::format(
      "fleet: instance {} vantage {} rule {} ({})\n", text(field(fleet, "instance")),
      text(field(fleet, "vantage")), text(field(fleet, "rule")),
      flag(fleet, "connected", false) ? "connected to etcd" : "etcd UNREACHABLE: local decisions");
  for (const auto& p : field(status, "profiles"))
    for (const auto& e : field(p, "endpoints")) {
      const auto& f = field(e, "fleet");
      if (!f.is_object()) continue;
      std::vector<std::string> views;
      for (const auto& v : field(f, "vantages")) {
        std::string view = text(field(v, "vantage")) + ": " + text(field(v, "state"));
        if (!text(field(v, "detail")).empty()) view += ", " + text(field(v, "detail"));
        if (!field(v, "since").is_null() && text(field(v, "state")) != "Online")
          view += ", since " + text(field(v, "since"));
        views.push_back(view);
      }
      out += fmt::format("  {}/{}: {} (own probe: {}); {}\n", text(field(p, "name")),
                         text(field(e, "name")), text(field(f, "state")),
                         text(field(e, "local_status")),
                         views.empty() ? "no votes" : fmt::format("{}", fmt::join(views, "; ")));
    }
  return out;
}

// "ci.tm.test. (priority) answers: eu; monitor status Online".
std::string answer_line(const json& p) {
  const auto& answer = field(p, "answer");
  std::vector<std::string> names;
  for (const auto& n : field(answer, "endpoints")) names.push_back(text(n));
  const auto& monitor_status = field(p, "monitor_status");
  return fmt::format("{} ({}) answers: {}{}{}\n", text(field(p, "name")), text(field(p, "method")),
                     names.empty() ? "nothing" : fmt::format("{}", fmt::join(names, ", ")),
                     flag(answer, "all_degraded", false) ? " (all degraded)" : "",
                     monitor_status.is_null() ? "" : "; monitor status " + text(monitor_status));
}

}  // namespace

std::string status_text(const json& e) {
  const auto& o = field(e, "override");
  const bool off = !flag(e, "enabled", true) || flag(e, "admin_disabled", false);
  if (!o.is_object()) return off ? "Disabled" : "Enabled";
  const auto &from = field(o, "from"), &until = field(o, "until");
  const std::string until_text = until.is_null() ? "" : " until " + text(until);
  // admin_disabled is the server's word on whether the window has begun: no clock here.
  if (!off && !from.is_null()) return "Enabled, disabled from " + text(from) + until_text;
  return "Disabled" + until_text;
}

std::string latency_text(const json& e) {
  const auto& latency = field(e, "latency_ms");
  if (!latency.is_number()) return "-";
  return fmt::format("{}ms{}", text(latency), flag(e, "latency_stale", false) ? " (stale)" : "");
}

std::string last_failure_text(const json& e) {
  const auto& failure = field(e, "last_failure");
  if (!failure.is_object()) return "-";
  const auto& detail = field(failure, "detail");
  const std::string what =
      detail.is_string() && !text(detail).empty() ? text(detail) : text(field(failure, "reason"));
  const auto& at = field(failure, "at");
  return at.is_null() ? what : text(at) + ": " + what;
}

std::string render_status(const json& status) {
  std::vector<Row> rows{{"PROFILE", "ENDPOINT", "TARGET", "PRIORITY", "STATUS", "MONITOR STATUS",
                         "SINCE", "LATENCY", "FAILURES", "RECENT", "LAST FAILURE"}};
  std::string answers;
  for (const auto& p : field(status, "profiles")) {
    answers += answer_line(p);
    for (const auto& e : field(p, "endpoints"))
      rows.push_back({text(field(p, "name")), text(field(e, "name")), text(field(e, "target")),
                      text(field(e, "priority")), status_text(e), text(field(e, "monitor_status")),
                      text(field(e, "since")), latency_text(e),
                      text(field(e, "consecutive_failures")), recent(field(e, "history")),
                      last_failure_text(e)});
  }
  std::string out = table(rows) + "\n" + answers + render_fleet(status);
  if (const auto& r = field(status, "last_reload"); r.is_object())
    out += fmt::format("last reload: {} {}\n", text(field(r, "at")),
                       flag(r, "ok", false) ? "ok" : "REJECTED");
  return out;
}

std::string render_explain(const json& explanation) {
  const auto& ecs = field(explanation, "ecs");
  std::string out = fmt::format("{} for client {}{}:\n", text(field(explanation, "profile")),
                                text(field(explanation, "client")),
                                ecs.is_null() ? "" : " (ecs " + text(ecs) + ")");
  int n = 1;
  for (const auto& step : field(explanation, "steps"))
    out += fmt::format("  {}. {}\n", n++, text(step));
  if (const auto& fleet = field(explanation, "fleet"); fleet.is_object()) {
    out += fmt::format("fleet rule {}:\n", text(field(fleet, "rule")));
    for (const auto& vote : field(fleet, "votes")) out += fmt::format("  {}\n", text(vote));
  }
  return out;
}

std::string render_secondaries(const json& secondaries) {
  std::vector<Row> rows{
      {"ZONE", "SERIAL", "SECONDARY", "CURRENT", "SERVING", "SEEN", "NOTIFY", "ACKED", "ERROR"}};
  std::string summaries;
  const auto& zones = field(secondaries, "zones");
  if (zones.empty()) return "no published zones (none has [[zone.transfer]])\n";
  for (const auto& z : zones) {
    summaries += fmt::format("{}: {}\n", text(field(z, "zone")), text(field(z, "summary")));
    for (const auto& s : field(z, "secondaries"))
      rows.push_back(
          {text(field(z, "zone")), text(field(z, "serial")), text(field(s, "secondary")),
           flag(s, "current", false) ? "yes" : "no", text(field(s, "serving_serial")),
           field(s, "seen_at").is_null()
               ? "-"
               : fmt::format("{} at {}", text(field(s, "seen_by")), text(field(s, "seen_at"))),
           text(field(s, "notify")), text(field(s, "acked_serial")), text(field(s, "error"))});
  }
  return table(rows) + "\n" + summaries;
}

}  // namespace dnsctl
