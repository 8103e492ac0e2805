// Plain-text tables with columns sized to their content.
#include "tools/dnsctl/render.hh"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

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

// The member `key` of `object`, or null when it is absent (or `object` is no object): a const
// json's operator[] asserts the key is there, and an older or newer server may leave it out.
const json& field(const json& object, const char* key) {
  static const json absent;
  if (!object.is_object()) return absent;
  const auto it = object.find(key);
  return it == object.end() ? absent : *it;
}

std::string text(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string recent(const json& history) {
  std::string out;
  for (const auto& h : history) out += h.value("ok", false) ? '+' : 'x';
  return out.empty() ? "-" : out;
}

std::string status_cell(const json& e) {
  std::string out =
      e.value("enabled", true) && !e.value("admin_disabled", false) ? "Enabled" : "Disabled";
  if (const auto& o = e["override"]; o.is_object() && !o["until"].is_null())
    out += " until " + text(o["until"]);
  return out;
}

// "fleet eu-west/dns-1 (majority, connected)" and, per endpoint, each vantage's view:
// "  ci.tm.test./eu: Online; eu-west: Degraded, http 503, since 10:02:11Z; us-east: Online".
std::string render_fleet(const json& status) {
  const auto& fleet = field(status, "fleet");
  if (!fleet.is_object()) return "";
  std::string out = fmt::format(
      "fleet: instance {} vantage {} rule {} ({})\n", text(field(fleet, "instance")),
      text(field(fleet, "vantage")), text(field(fleet, "rule")),
      fleet.value("connected", false) ? "connected to etcd" : "etcd UNREACHABLE: local decisions");
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

}  // namespace

std::string render_status(const json& status) {
  std::vector<Row> rows{{"PROFILE", "ENDPOINT", "TARGET", "PRIORITY", "STATUS", "MONITOR STATUS",
                         "LATENCY", "FAILURES", "RECENT", "LAST FAILURE"}};
  std::string answers;
  for (const auto& p : status["profiles"]) {
    const std::string profile = text(p["name"]);
    std::vector<std::string> names;
    for (const auto& n : p["answer"]["endpoints"]) names.push_back(text(n));
    answers += fmt::format("{} ({}) answers: {}{}\n", profile, text(p["method"]),
                           names.empty() ? "nothing" : fmt::format("{}", fmt::join(names, ", ")),
                           p["answer"].value("all_degraded", false) ? " (all degraded)" : "");
    for (const auto& e : p["endpoints"]) {
      const auto& failure = e["last_failure"];
      rows.push_back(
          {profile, text(e["name"]), text(e["target"]), text(e["priority"]), status_cell(e),
           text(e["monitor_status"]),
           e["latency_ms"].is_null() ? "-" : fmt::format("{}ms", e["latency_ms"].get<int>()),
           text(e["consecutive_failures"]), recent(e["history"]),
           failure.is_object()
               ? text(failure["detail"]).empty() ? text(failure["reason"]) : text(failure["detail"])
               : "-"});
    }
  }
  std::string out = table(rows) + "\n" + answers + render_fleet(status);
  if (const auto& r = status["last_reload"]; r.is_object())
    out += fmt::format("last reload: {} {}\n", text(r["at"]),
                       r.value("ok", false) ? "ok" : "REJECTED");
  return out;
}

std::string render_explain(const json& explanation) {
  std::string out = fmt::format(
      "{} for client {}{}:\n", text(explanation["profile"]), text(explanation["client"]),
      explanation.contains("ecs") ? " (ecs " + text(explanation["ecs"]) + ")" : "");
  int n = 1;
  for (const auto& step : explanation["steps"]) out += fmt::format("  {}. {}\n", n++, text(step));
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
  const json zones = secondaries.value("zones", json::array());
  if (zones.empty()) return "no published zones (none has [[zone.transfer]])\n";
  for (const auto& z : zones) {
    summaries += fmt::format("{}: {}\n", text(z["zone"]), text(z["summary"]));
    for (const auto& s : z["secondaries"])
      rows.push_back({text(z["zone"]), text(z["serial"]), text(s["secondary"]),
                      s.value("current", false) ? "yes" : "no", text(s["serving_serial"]),
                      s["seen_at"].is_null()
                          ? "-"
                          : fmt::format("{} at {}", text(s["seen_by"]), text(s["seen_at"])),
                      text(s["notify"]), text(s["acked_serial"]), text(s["error"])});
  }
  return table(rows) + "\n" + summaries;
}

}  // namespace dnsctl
