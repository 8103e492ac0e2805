// dnsctl's status views, from the JSON GET /api/v1/status returns (issue 15 fields: since,
// transitions, monitor, latency_stale, the profile's monitor_status).
#include <doctest/doctest.h>

#include "tools/dnsctl/render.hh"
#include "tools/dnsctl/selection.hh"

using nlohmann::json;

namespace {

json endpoint(json changes = json::object()) {
  json e = json::parse(R"({"name": "eu", "target": "eu.example.test.", "priority": 1,
    "weight": 1, "enabled": true, "state": "Online", "monitor_status": "Online",
    "admin_disabled": false, "override": null, "available": true,
    "last_failure": {"reason": "status", "detail": "http 503",
                     "at": "2026-12-06T03:10:02Z"},
    "last_probe": "2026-12-06T04:00:00Z", "latency_ms": 12, "consecutive_failures": 0,
    "history": [{"at": "2026-12-06T03:59:59Z", "ok": false, "rtt_ms": 3, "reason": "status",
                 "http_status": 503},
                {"at": "2026-12-06T04:00:00Z", "ok": true, "rtt_ms": 12, "reason": "none",
                 "http_status": 200}],
    "local_status": "Online", "fleet": null,
    "since": "2026-12-06T03:12:00Z",
    "transitions": [{"at": "2026-12-06T03:10:02Z", "from": "Online", "to": "Degraded",
                     "reason": "status", "detail": "http 503"},
                    {"at": "2026-12-06T03:12:00Z", "from": "Degraded", "to": "Online",
                     "reason": "none", "detail": ""}],
    "monitor": {"protocol": "https", "port": 443, "path": "/http/ping", "interval_s": 10,
                "timeout_s": 5, "tolerated_failures": 3, "expected_status": "200-299"},
    "latency_stale": false})");
  e.merge_patch(changes);
  return e;
}

json profile(json e) {
  return {{"name", "ci.tm.test."},
          {"method", "priority"},
          {"ttl", 30},
          {"monitor_status", "Online"},
          {"answer", {{"endpoints", {"eu"}}, {"targets", {"eu.example.test."}}}},
          {"endpoints", {e}}};
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the overview shows each endpoint's since and the profile's monitor status") {
  const std::string out = dnsctl::render_status({{"profiles", {profile(endpoint())}}});
  CHECK(has(out, "SINCE"));
  CHECK(has(out, "Online          2026-12-06T03:12:00Z  12ms"));
  CHECK(has(out, "ci.tm.test. (priority) answers: eu; monitor status Online\n"));
}

TEST_CASE("the last failure is shown with its time, as history") {
  CHECK(dnsctl::last_failure_text(endpoint()) == "2026-12-06T03:10:02Z: http 503");
  CHECK(dnsctl::last_failure_text(endpoint({{"last_failure", nullptr}})) == "-");
}

TEST_CASE("a stale latency is marked stale, in the table and in the detail") {
  CHECK(dnsctl::latency_text(endpoint()) == "12ms");
  const json stale = endpoint({{"latency_stale", true}});
  CHECK(dnsctl::latency_text(stale) == "12ms (stale)");
  CHECK(has(dnsctl::render_status({{"profiles", {profile(stale)}}}), "12ms (stale)"));
  CHECK(has(dnsctl::render_endpoint(profile(stale), stale),
            "latency:              12ms (stale): no successful probe within 2 intervals\n"));
  CHECK(dnsctl::latency_text(endpoint({{"latency_ms", nullptr}})) == "-");
}

TEST_CASE("a window to come reads disabled from T1 until T2, a current one disabled until T2") {
  const json to_come = endpoint(
      {{"override", {{"from", "2026-12-07T02:00:00Z"}, {"until", "2026-12-07T03:00:00Z"}}}});
  CHECK(dnsctl::status_text(to_come) ==
        "Enabled, disabled from 2026-12-07T02:00:00Z until 2026-12-07T03:00:00Z");
  const json now = endpoint(
      {{"admin_disabled", true},
       {"override", {{"from", "2026-12-06T02:00:00Z"}, {"until", "2026-12-06T05:00:00Z"}}}});
  CHECK(dnsctl::status_text(now) == "Disabled until 2026-12-06T05:00:00Z");
  const json by_hand =
      endpoint({{"admin_disabled", true}, {"override", {{"from", nullptr}, {"until", nullptr}}}});
  CHECK(dnsctl::status_text(by_hand) == "Disabled");
  CHECK(dnsctl::status_text(endpoint()) == "Enabled");
}

TEST_CASE("enable without an override says there is nothing to enable") {
  CHECK(dnsctl::nothing_to_enable(endpoint()) == "eu has no override; nothing to enable");
  CHECK(!dnsctl::nothing_to_enable(
      endpoint({{"admin_disabled", true}, {"override", {{"from", nullptr}, {"until", nullptr}}}})));
  // A window to come is an override too: enable removes it.
  CHECK(!dnsctl::nothing_to_enable(
      endpoint({{"override", {{"from", "2026-12-07T02:00:00Z"}, {"until", nullptr}}}})));
}

TEST_CASE("an Online endpoint's detail gives no current reason, only the dated last failure") {
  const json e = endpoint();
  const std::string out = dnsctl::render_endpoint(profile(e), e);
  CHECK(has(out, "ci.tm.test. eu: target eu.example.test., priority 1, weight 1\n"));
  CHECK(has(out, "monitor status:       Online since 2026-12-06T03:12:00Z\n"));
  CHECK(!has(out, "reason:"));
  CHECK(has(out, "last failure:         2026-12-06T03:10:02Z: http 503\n"));
  CHECK(has(out,
            "monitor:              https port 443 path /http/ping, every 10s, timeout 5s, "
            "tolerates 3 failures, expects 200-299\n"));
  CHECK(
      has(out, "recent probes:        x+ (oldest first; last at 2026-12-06T04:00:00Z: ok, 12ms)"));
  CHECK(has(out, "    2026-12-06T03:10:02Z  Online -> Degraded  http 503\n"));
  CHECK(has(out, "in the answer:        yes\n"));
}

TEST_CASE("a Degraded endpoint's detail gives the reason of its last transition") {
  json e = endpoint({{"monitor_status", "Degraded"}, {"since", "2026-12-06T04:01:00Z"}});
  e["transitions"].push_back({{"at", "2026-12-06T04:01:00Z"},
                              {"from", "Online"},
                              {"to", "Degraded"},
                              {"reason", "timeout"},
                              {"detail", "timeout after 5000ms"}});
  const std::string out = dnsctl::render_endpoint(profile(e), e);
  CHECK(has(out, "monitor status:       Degraded since 2026-12-06T04:01:00Z\n"));
  CHECK(has(out, "reason:               timeout after 5000ms\n"));
}

TEST_CASE("a server without the issue 15 fields still renders, without them") {
  json e = endpoint();
  for (const char* key : {"since", "transitions", "monitor", "latency_stale"}) e.erase(key);
  json p = profile(e);
  p.erase("monitor_status");
  const std::string table = dnsctl::render_status({{"profiles", {p}}});
  CHECK(has(table, "ci.tm.test. (priority) answers: eu\n"));
  const std::string detail = dnsctl::render_endpoint(p, e);
  CHECK(has(detail, "monitor status:       Online\n"));
  CHECK(!has(detail, "monitor:"));
}

TEST_CASE("profiles are found however the operator spells them; unknown names say so") {
  const json status = {{"profiles", {profile(endpoint())}}};
  CHECK(dnsctl::find_profile(status, "CI.tm.test") != nullptr);
  CHECK(dnsctl::find_profile(status, "ci.tm.test.") != nullptr);
  CHECK(dnsctl::find_profile(status, "cd.tm.test.") == nullptr);
  CHECK(dnsctl::no_such_profile("cd.tm.test") == "no such profile: cd.tm.test");
  const json& p = status["profiles"][0];
  CHECK(dnsctl::find_endpoint(p, "eu") != nullptr);
  CHECK(dnsctl::find_endpoint(p, "EU") == nullptr);
  CHECK(dnsctl::no_such_endpoint(p, "ap") == "no such endpoint: ap in ci.tm.test. (it has eu)");
}
