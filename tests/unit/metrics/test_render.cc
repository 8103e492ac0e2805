// The /metrics page from real counters, a real model and HealthTable: valid text, and the
// numbers that were put in come out under the documented names and labels.
#include <doctest/doctest.h>

#include "exposition_parser.hh"
#include "metrics/render.hh"
#include "routing/health_writer.hh"

using namespace metrics;
using routing::MonitorStatus;
using routing::Reason;
using std::chrono::microseconds;

namespace {

routing::Model two_endpoint_model() {
  routing::Model model;
  routing::Profile profile;
  profile.name = "ci.tm.example.";
  for (int i = 0; i < 3; ++i) {
    routing::Endpoint endpoint;
    endpoint.name = i == 0 ? "eu" : i == 1 ? "us \"east\"" : "standby";
    endpoint.health_id = static_cast<routing::EndpointId>(i);
    endpoint.enabled = i != 2;
    profile.endpoints.push_back(endpoint);
  }
  model.profiles.push_back(profile);
  model.endpoint_count = 3;
  return model;
}

parser::Parsed render_and_parse(const Sources& sources) {
  const std::string text = render_prometheus(sources);
  auto parsed = parser::parse(text);
  INFO(text);
  REQUIRE_MESSAGE(parsed.errors.empty(), parsed.errors.front());
  return parsed;
}

double value(const parser::Parsed& parsed, const std::string& family,
             const std::map<std::string, std::string>& labels, const std::string& suffix = "") {
  const auto* sample = parsed.sample(family, labels, suffix);
  REQUIRE_MESSAGE(sample != nullptr, family << suffix << " sample not found (or ambiguous)");
  return sample->number;
}

}  // namespace

TEST_CASE("render: an idle server renders every family, valid, with zero counts") {
  dnsd::QueryCounters queries(2, 1);
  probe::ProbeCounters probes;
  const auto model = two_endpoint_model();
  routing::HealthTable health(model.endpoint_count);
  ConfigStatus config;
  const auto parsed = render_and_parse({&queries, &probes, &model, &health, &config});
  for (const char* name :
       {"dnsd_queries_total", "dnsd_responses_truncated_total", "dnsd_queries_dropped_total",
        "dnsd_probe_results_total", "dnsd_probe_duration_seconds",
        "dnsd_endpoint_transitions_total", "dnsd_endpoint_state", "dnsd_endpoint_probe_rtt_seconds",
        "dnsd_config_generation", "dnsd_config_last_reload_success",
        "dnsd_config_last_reload_timestamp_seconds", "dnsd_config_reloads_total"})
    CHECK_MESSAGE(parsed.find(name) != nullptr, name);
  CHECK(parsed.find("dnsd_queries_total")->samples.empty());  // only combinations seen
  CHECK(parsed.find("dnsd_probe_duration_seconds")->type == "histogram");
  CHECK(value(parsed, "dnsd_probe_duration_seconds", {{"le", "+Inf"}}, "_bucket") == 0);
  CHECK(value(parsed, "dnsd_config_generation", {}) == 1);
  CHECK(value(parsed, "dnsd_config_last_reload_success", {}) == 1);
}

TEST_CASE("render: query counts by transport, rcode and qtype; truncated and dropped") {
  dnsd::QueryCounters queries(2, 1);
  for (int i = 0; i < 3; ++i) queries.udp(0).record(0, 1, false);  // NOERROR, A
  queries.udp(1).record(0, 1, false);
  queries.udp(1).record_dropped();
  queries.tcp(0).record(3, 28, true);  // NXDOMAIN, AAAA, TC
  const auto parsed = render_and_parse({&queries, nullptr, nullptr, nullptr, nullptr});
  CHECK(value(parsed, "dnsd_queries_total",
              {{"transport", "udp"}, {"rcode", "NOERROR"}, {"qtype", "A"}}) == 4);
  CHECK(value(parsed, "dnsd_queries_total",
              {{"transport", "tcp"}, {"rcode", "NXDOMAIN"}, {"qtype", "AAAA"}}) == 1);
  CHECK(parsed.find("dnsd_queries_total")->samples.size() == 2);
  CHECK(value(parsed, "dnsd_responses_truncated_total", {{"transport", "tcp"}}) == 1);
  CHECK(value(parsed, "dnsd_responses_truncated_total", {{"transport", "udp"}}) == 0);
  CHECK(value(parsed, "dnsd_queries_dropped_total", {{"transport", "udp"}}) == 1);
  CHECK(parsed.find("dnsd_probe_results_total") == nullptr);  // not given: left out
}

TEST_CASE("render: probe outcomes, a cumulative latency histogram and transitions") {
  probe::ProbeCounters probes;
  probes.record_result(true, Reason::none, microseconds(4'000));        // le 0.005
  probes.record_result(true, Reason::none, microseconds(40'000));       // le 0.05
  probes.record_result(false, Reason::timeout, microseconds(500'000));  // le 0.5
  probes.record_result(false, Reason::tls, microseconds(30'000'000));   // +Inf only
  probes.record_transition(MonitorStatus::checking_endpoint, MonitorStatus::online);
  probes.record_transition(MonitorStatus::online, MonitorStatus::degraded);
  const auto parsed = render_and_parse({nullptr, &probes, nullptr, nullptr, nullptr});
  CHECK(value(parsed, "dnsd_probe_results_total", {{"outcome", "ok"}}) == 2);
  CHECK(value(parsed, "dnsd_probe_results_total", {{"outcome", "timeout"}}) == 1);
  CHECK(value(parsed, "dnsd_probe_results_total", {{"outcome", "tls"}}) == 1);
  CHECK(value(parsed, "dnsd_probe_results_total", {{"outcome", "dns"}}) == 0);
  CHECK(value(parsed, "dnsd_probe_duration_seconds", {{"le", "0.005"}}, "_bucket") == 1);
  CHECK(value(parsed, "dnsd_probe_duration_seconds", {{"le", "0.05"}}, "_bucket") == 2);
  CHECK(value(parsed, "dnsd_probe_duration_seconds", {{"le", "0.5"}}, "_bucket") == 3);
  CHECK(value(parsed, "dnsd_probe_duration_seconds", {{"le", "10"}}, "_bucket") == 3);
  CHECK(value(parsed, "dnsd_probe_duration_seconds", {{"le", "+Inf"}}, "_bucket") == 4);
  CHECK(value(parsed, "dnsd_probe_duration_seconds", {}, "_count") == 4);
  CHECK(value(parsed, "dnsd_probe_duration_seconds", {}, "_sum") == doctest::Approx(30.544));
  CHECK(value(parsed, "dnsd_endpoint_transitions_total",
              {{"from", "CheckingEndpoint"}, {"to", "Online"}}) == 1);
  CHECK(value(parsed, "dnsd_endpoint_transitions_total",
              {{"from", "Online"}, {"to", "Degraded"}}) == 1);
  CHECK(value(parsed, "dnsd_endpoint_transitions_total",
              {{"from", "Degraded"}, {"to", "Online"}}) == 0);
  CHECK(parsed.sample("dnsd_endpoint_transitions_total", {{"from", "Online"}, {"to", "Online"}}) ==
        nullptr);
}

TEST_CASE("render: endpoint state as a one-hot gauge, admin and config Disabled included") {
  const auto model = two_endpoint_model();
  routing::HealthTable health(model.endpoint_count);
  routing::HealthWriter writer(model, health);
  writer.probed(0, MonitorStatus::online, Reason::none, 12);
  writer.probed(1, MonitorStatus::degraded, Reason::timeout, 0);
  const auto parsed_before = render_and_parse({nullptr, nullptr, &model, &health, nullptr});
  CHECK(value(parsed_before, "dnsd_endpoint_state", {{"endpoint", "eu"}, {"state", "Online"}}) ==
        1);
  CHECK(value(parsed_before, "dnsd_endpoint_state", {{"endpoint", "eu"}, {"state", "Degraded"}}) ==
        0);
  CHECK(value(parsed_before, "dnsd_endpoint_state",
              {{"endpoint", "us \"east\""}, {"state", "Degraded"}}) == 1);
  CHECK(value(parsed_before, "dnsd_endpoint_state",
              {{"endpoint", "standby"}, {"state", "Disabled"}}) == 1);
  CHECK(value(parsed_before, "dnsd_endpoint_state",
              {{"profile", "ci.tm.example."},
               {"endpoint", "standby"},
               {"state", "CheckingEndpoint"}}) == 0);
  CHECK(value(parsed_before, "dnsd_endpoint_probe_rtt_seconds", {{"endpoint", "eu"}}) ==
        doctest::Approx(0.012));

  writer.set_admin_disabled(0, true);
  const auto parsed_after = render_and_parse({nullptr, nullptr, &model, &health, nullptr});
  CHECK(value(parsed_after, "dnsd_endpoint_state", {{"endpoint", "eu"}, {"state", "Disabled"}}) ==
        1);
  CHECK(value(parsed_after, "dnsd_endpoint_state", {{"endpoint", "eu"}, {"state", "Online"}}) == 0);
}

TEST_CASE("render: config generation and the last reload's result") {
  ConfigStatus config;
  config.record_reload(true, 1'700'000'000);
  config.record_reload(false, 1'700'000'100);
  auto parsed = render_and_parse({nullptr, nullptr, nullptr, nullptr, &config});
  CHECK(value(parsed, "dnsd_config_generation", {}) == 2);
  CHECK(value(parsed, "dnsd_config_last_reload_success", {}) == 0);
  CHECK(value(parsed, "dnsd_config_last_reload_timestamp_seconds", {}) == 1'700'000'100);
  CHECK(value(parsed, "dnsd_config_reloads_total", {{"result", "success"}}) == 1);
  CHECK(value(parsed, "dnsd_config_reloads_total", {{"result", "failure"}}) == 1);
  config.record_reload(true, 1'700'000'200);
  parsed = render_and_parse({nullptr, nullptr, nullptr, nullptr, &config});
  CHECK(value(parsed, "dnsd_config_generation", {}) == 3);
  CHECK(value(parsed, "dnsd_config_last_reload_success", {}) == 1);
}

TEST_CASE("render: published zones' serials and each secondary's serving, acked and current") {
  const std::vector<ZoneSerials> zones{
      {"tm.example.",
       4200,
       {{"127.0.0.1:5301", 4200, 4200, true}, {"127.0.0.1:5302", 4199, std::nullopt, false}}},
      {"other.example.", 7, {{"127.0.0.1:5301", std::nullopt, 7, false}}}};
  Sources sources;
  sources.publishing = &zones;
  const auto parsed = render_and_parse(sources);
  CHECK(value(parsed, "dnsd_zone_serial", {{"zone", "tm.example."}}) == 4200);
  CHECK(value(parsed, "dnsd_zone_serial", {{"zone", "other.example."}}) == 7);
  const std::map<std::string, std::string> knot{{"zone", "tm.example."},
                                                {"secondary", "127.0.0.1:5301"}},
      nsd{{"zone", "tm.example."}, {"secondary", "127.0.0.1:5302"}},
      unseen{{"zone", "other.example."}, {"secondary", "127.0.0.1:5301"}};
  CHECK(value(parsed, "dnsd_secondary_serial", knot) == 4200);
  CHECK(value(parsed, "dnsd_secondary_serial", nsd) == 4199);
  CHECK(parsed.sample("dnsd_secondary_serial", unseen) == nullptr);  // never seen: no sample
  CHECK(value(parsed, "dnsd_secondary_acked_serial", knot) == 4200);
  CHECK(parsed.sample("dnsd_secondary_acked_serial", nsd) == nullptr);
  CHECK(value(parsed, "dnsd_secondary_current", knot) == 1);
  CHECK(value(parsed, "dnsd_secondary_current", nsd) == 0);
  CHECK(value(parsed, "dnsd_secondary_current", unseen) == 0);
}
