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

TEST_CASE("render: probe outcomes and a cumulative latency histogram") {
  probe::ProbeCounters probes;
  probes.record_result(true, Reason::none, microseconds(4'000));        // le 0.005
  probes.record_result(true, Reason::none, microseconds(40'000));       // le 0.05
  probes.record_result(false, Reason::timeout, microseconds(500'000));  // le 0.5
  probes.record_result(false, Reason::tls, microseconds(30'000'000));   // +Inf only
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
  CHECK(parsed.find("dnsd_endpoint_transitions_total") == nullptr);  // per endpoint: needs a model
}

TEST_CASE("render: probe results, transitions and their times per profile and endpoint") {
  probe::ProbeCounters probes;
  const auto model = two_endpoint_model();
  routing::HealthTable health(model.endpoint_count);
  using std::chrono::system_clock;
  const system_clock::time_point t0{std::chrono::seconds(1'700'000'000)};
  const auto verdict = [](bool ok, Reason reason, system_clock::time_point at) {
    return probe::EndpointVerdict{ok, reason, false, MonitorStatus::online, MonitorStatus::online,
                                  at};
  };
  auto moved = [](probe::EndpointVerdict v, MonitorStatus from, MonitorStatus to) {
    v.changed = true;
    v.from = from;
    v.to = to;
    return v;
  };
  probes.record_endpoint("ci.tm.example.", "eu",
                         moved(verdict(true, Reason::none, t0), MonitorStatus::checking_endpoint,
                               MonitorStatus::online));
  probes.record_endpoint("ci.tm.example.", "eu",
                         verdict(true, Reason::none, t0 + std::chrono::seconds(10)));
  probes.record_endpoint("ci.tm.example.", "eu",
                         moved(verdict(false, Reason::status, t0 + std::chrono::seconds(20)),
                               MonitorStatus::online, MonitorStatus::degraded));
  probes.record_endpoint("ci.tm.example.", "us \"east\"",
                         verdict(false, Reason::timeout, t0 + std::chrono::milliseconds(1500)));
  // A name the model does not hold (a client's, or a removed endpoint's) never becomes a series.
  probes.record_endpoint("ci.tm.example.", "gone", verdict(true, Reason::none, t0));
  const auto parsed = render_and_parse({nullptr, &probes, &model, &health, nullptr});
  const std::map<std::string, std::string> eu{{"profile", "ci.tm.example."}, {"endpoint", "eu"}},
      us{{"profile", "ci.tm.example."}, {"endpoint", "us \"east\""}},
      standby{{"profile", "ci.tm.example."}, {"endpoint", "standby"}};
  const auto with = [](std::map<std::string, std::string> labels, const char* key,
                       const char* value) {
    labels[key] = value;
    return labels;
  };
  CHECK(value(parsed, "dnsd_endpoint_probe_results_total", with(eu, "outcome", "ok")) == 2);
  CHECK(value(parsed, "dnsd_endpoint_probe_results_total", with(eu, "outcome", "status")) == 1);
  CHECK(value(parsed, "dnsd_endpoint_probe_results_total", with(us, "outcome", "timeout")) == 1);
  CHECK(value(parsed, "dnsd_endpoint_probe_results_total", with(standby, "outcome", "ok")) == 0);
  CHECK(value(parsed, "dnsd_endpoint_transitions_total",
              with(with(eu, "from", "CheckingEndpoint"), "to", "Online")) == 1);
  CHECK(value(parsed, "dnsd_endpoint_transitions_total",
              with(with(eu, "from", "Online"), "to", "Degraded")) == 1);
  CHECK(value(parsed, "dnsd_endpoint_transitions_total",
              with(with(us, "from", "Online"), "to", "Degraded")) == 0);
  CHECK(parsed.find("dnsd_endpoint_transitions_total")->samples.size() == 3 * 6);
  CHECK(value(parsed, "dnsd_endpoint_last_transition_timestamp_seconds", eu) == 1'700'000'020);
  CHECK(value(parsed, "dnsd_endpoint_last_probe_timestamp_seconds", eu) == 1'700'000'020);
  CHECK(value(parsed, "dnsd_endpoint_probe_last_success_timestamp_seconds", eu) == 1'700'000'010);
  CHECK(value(parsed, "dnsd_endpoint_last_probe_timestamp_seconds", us) ==
        doctest::Approx(1'700'000'001.5));
  // Never moved, never succeeded: no sample rather than a time in 1970.
  CHECK(parsed.sample("dnsd_endpoint_last_transition_timestamp_seconds", us) == nullptr);
  CHECK(parsed.sample("dnsd_endpoint_probe_last_success_timestamp_seconds", us) == nullptr);
  CHECK(value(parsed, "dnsd_endpoint_probe_interval_seconds", eu) == 10);
  const std::string text = render_prometheus({nullptr, &probes, &model, &health, nullptr});
  CHECK(text.find("gone") == std::string::npos);
}

TEST_CASE("render: keep_only forgets endpoints a new config no longer holds") {
  probe::ProbeCounters probes;
  const probe::EndpointVerdict ok{true,
                                  Reason::none,
                                  false,
                                  MonitorStatus::online,
                                  MonitorStatus::online,
                                  std::chrono::system_clock::now()};
  probes.record_endpoint("ci.tm.example.", "eu", ok);
  probes.record_endpoint("ci.tm.example.", "removed", ok);
  probes.record_endpoint("other.tm.example.", "eu", ok);
  probes.keep_only(two_endpoint_model());
  const auto kept = probes.endpoint_totals();
  REQUIRE(kept.size() == 1);
  CHECK(kept.begin()->first.endpoint == "eu");
  CHECK(kept.begin()->second.results[0] == 1);  // the survivors keep counting
}

TEST_CASE("render: the answer gauge follows failover and the all-degraded fallback") {
  auto model = two_endpoint_model();
  for (std::size_t i = 0; i < 3; ++i) {
    model.profiles[0].endpoints[i].priority = static_cast<std::uint16_t>(i + 1);
    model.profiles[0].endpoints[i].enabled = true;
  }
  routing::HealthTable health(model.endpoint_count);
  routing::HealthWriter writer(model, health);
  for (routing::EndpointId id = 0; id < 3; ++id)
    writer.probed(id, MonitorStatus::online, Reason::none, 5);
  const std::map<std::string, std::string> profile{{"profile", "ci.tm.example."}};
  auto answer = [&](const parser::Parsed& parsed, const char* endpoint) {
    return value(parsed, "dnsd_profile_answer",
                 {{"profile", "ci.tm.example."}, {"endpoint", endpoint}});
  };
  auto parsed = render_and_parse({nullptr, nullptr, &model, &health, nullptr});
  CHECK(answer(parsed, "eu") == 1);
  CHECK(answer(parsed, "us \"east\"") == 0);
  CHECK(value(parsed, "dnsd_profile_all_degraded", profile) == 0);
  CHECK(value(parsed, "dnsd_profile_status", {{"status", "Online"}}) == 1);

  writer.probed(0, MonitorStatus::degraded, Reason::status, 0);
  parsed = render_and_parse({nullptr, nullptr, &model, &health, nullptr});
  CHECK(answer(parsed, "eu") == 0);
  CHECK(answer(parsed, "us \"east\"") == 1);
  CHECK(value(parsed, "dnsd_profile_status", {{"status", "Degraded"}}) == 1);
  CHECK(value(parsed, "dnsd_profile_status", {{"status", "Online"}}) == 0);

  writer.probed(1, MonitorStatus::degraded, Reason::status, 0);
  writer.probed(2, MonitorStatus::degraded, Reason::status, 0);
  parsed = render_and_parse({nullptr, nullptr, &model, &health, nullptr});
  CHECK(value(parsed, "dnsd_profile_all_degraded", profile) == 1);
  CHECK(answer(parsed, "eu") == 1);  // the fallback answers the top endpoint
}

TEST_CASE("render: a weighted profile counts every endpoint in the draw as answered") {
  auto model = two_endpoint_model();
  model.profiles[0].method = routing::Method::weighted;
  routing::HealthTable health(model.endpoint_count);
  routing::HealthWriter writer(model, health);
  writer.probed(0, MonitorStatus::online, Reason::none, 5);
  writer.probed(1, MonitorStatus::online, Reason::none, 5);
  for (int round = 0; round < 5; ++round) {  // the same whatever the draw
    const auto parsed = render_and_parse({nullptr, nullptr, &model, &health, nullptr});
    CHECK(value(parsed, "dnsd_profile_answer", {{"endpoint", "eu"}}) == 1);
    CHECK(value(parsed, "dnsd_profile_answer", {{"endpoint", "us \"east\""}}) == 1);
    CHECK(value(parsed, "dnsd_profile_answer", {{"endpoint", "standby"}}) == 0);  // disabled
  }
}

TEST_CASE("render: build info and this process's metrics under Prometheus' standard names") {
  Sources sources;
  sources.version = "1.2.3";
  sources.process = true;
  const auto parsed = render_and_parse(sources);
  CHECK(value(parsed, "dnsd_build_info", {{"version", "1.2.3"}}) == 1);
  CHECK(value(parsed, "process_resident_memory_bytes", {}) > 1e5);
  CHECK(value(parsed, "process_cpu_seconds_total", {}) >= 0);
  CHECK(value(parsed, "process_open_fds", {}) >= 3);
  CHECK(value(parsed, "process_max_fds", {}) >= value(parsed, "process_open_fds", {}));
  const double now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  const double start = value(parsed, "process_start_time_seconds", {});
  CHECK(start <= now + 1);
  CHECK(start > now - 24 * 3600);  // this test process started today
  CHECK(parsed.find("process_cpu_seconds_total")->type == "counter");
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

TEST_CASE("render: on-demand DNSSEC signatures and denial cache hits and misses") {
  Sources sources;
  sources.dnssec = dnsd::dnssec::CacheCounts{.signatures = 7, .hits = 40, .misses = 6};
  const auto parsed = render_and_parse(sources);
  CHECK(value(parsed, "dnsd_dnssec_signatures_total", {{"kind", "on_demand"}}) == 7);
  CHECK(value(parsed, "dnsd_dnssec_denial_cache_total", {{"result", "hit"}}) == 40);
  CHECK(value(parsed, "dnsd_dnssec_denial_cache_total", {{"result", "miss"}}) == 6);
  CHECK(parsed.find("dnsd_dnssec_signatures_total")->type == "counter");
  // Left out when the caller gives none.
  CHECK(render_and_parse(Sources{}).find("dnsd_dnssec_signatures_total") == nullptr);
}
