// Prober against real tenant_sim processes on loopback (HTTPS with Basic auth, HTTP, TCP) and a
// stub DNS server: states, reasons and bounds as an operator would observe them.
#include <dirent.h>
#include <doctest/doctest.h>

#include <mutex>

#include "probe/prober.hh"
#include "tests/support/tenant_sim_client.hh"
#include "tests/support/test_certs.hh"
#include "tests/support/tiny_dns.hh"
#include "tests/support/wait_until.hh"

using namespace test_support;
using routing::MonitorStatus;
using routing::Reason;
using std::chrono::milliseconds;

namespace {

constexpr auto k_good_auth = "Basic Y2ktdXNlcjpzM2NyZXQtcGFzcw==";  // ci-user:s3cret-pass
constexpr auto k_bad_auth = "Basic Y2ktdXNlcjp3cm9uZw==";           // ci-user:wrong
constexpr milliseconds k_slack{1500};  // scheduling noise on a loaded CI machine

TenantSim start_sim(const std::string& address, bool tls = true, std::string region = "eu") {
  TenantSimOptions o;
  o.address = address;
  o.region = std::move(region);
  o.user = "ci-user";
  o.password = "s3cret-pass";
  if (tls) {
    REQUIRE_MESSAGE(test_certs().error.empty(), test_certs().error);
    o.cert_file = test_certs().cert;
    o.key_file = test_certs().key;
  }
  std::string error;
  auto sim = TenantSim::start(o, error);
  REQUIRE_MESSAGE(sim.has_value(), error);
  return std::move(*sim);
}

// The issue's scenario settings, scaled down so the suite stays quick.
routing::MonitorSpec tenant_monitor(std::uint16_t port) {
  routing::MonitorSpec m;
  m.protocol = routing::Protocol::https;
  m.port = port;
  m.path = "/http/ping";
  m.headers = {{"Authorization", routing::Secret(k_good_auth)}};
  m.interval = milliseconds(300);
  m.timeout = milliseconds(200);
  m.tolerated_failures = 1;
  m.ca_file = test_certs().cert;
  return m;
}

routing::Endpoint endpoint(std::string name, std::string target, routing::MonitorSpec monitor) {
  routing::Endpoint e;
  e.name = std::move(name);
  e.kind = target.back() == '.' ? routing::TargetKind::name : routing::TargetKind::ipv4;
  e.target = target;
  e.probe_host = target;
  e.monitor = std::move(monitor);
  return e;
}

// Profiles get dense health ids in order, as conf/ assigns them.
routing::Model model_of(std::vector<routing::Profile> profiles, std::vector<std::string> dns = {}) {
  routing::Model m;
  m.profiles = std::move(profiles);
  for (auto& p : m.profiles)
    for (auto& e : p.endpoints) e.health_id = static_cast<routing::EndpointId>(m.endpoint_count++);
  m.resolver.servers = std::move(dns);
  return m;
}

routing::Profile profile(std::string name, std::vector<routing::Endpoint> endpoints) {
  routing::Profile p;
  p.name = std::move(name);
  p.endpoints = std::move(endpoints);
  return p;
}

// Worst case from a change at the tenant to Degraded: the next probe starts within one
// jittered interval, then tolerated_failures + 1 failures, the last one taking the timeout.
milliseconds degrade_bound(const routing::MonitorSpec& m) {
  return m.interval * 11 / 10 * (m.tolerated_failures + 1) + m.timeout + k_slack;
}
milliseconds recover_bound(const routing::MonitorSpec& m) {
  return m.interval * 11 / 10 * std::max<int>(m.successes_to_recover, 1) + m.timeout + k_slack;
}
milliseconds first_verdict_bound(const routing::MonitorSpec& m) {
  return std::min(m.interval, milliseconds(1000)) + m.timeout + k_slack;
}

// A running Prober with its tables and the log lines it wrote.
struct Harness {
  explicit Harness(routing::Model model_in)
      : model(std::move(model_in)),
        health(model.endpoint_count),
        writer(model, health),
        flat(model.endpoint_count),
        prober(model, writer, flat, options()) {
    prober.start();
  }
  probe::Options options() {
    probe::Options o;
    o.jitter_seed = 1;
    o.log = [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
    return o;
  }
  routing::Health state(routing::EndpointId id) const { return health.load(id); }
  bool reaches(routing::EndpointId id, MonitorStatus status, milliseconds bound) const {
    return wait_for(bound, [&] { return health.load(id).status == status; });
  }
  std::vector<std::string> log() {
    std::lock_guard lock(mutex);
    return lines;
  }
  // The prober stores the health word before it writes the transition's line, so a test that
  // saw the state change waits (briefly) for the line too.
  std::vector<std::string> log_of_at_least(std::size_t count) {
    wait_for(milliseconds(2000), [&] { return log().size() >= count; });
    return log();
  }

  routing::Model model;
  routing::HealthTable health;
  routing::HealthWriter writer;
  routing::FlatAddresses flat;
  std::mutex mutex;
  std::vector<std::string> lines;
  probe::Prober prober;
};

std::size_t open_fds() {
  std::size_t n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d) != nullptr) ++n;
    closedir(d);
  }
  return n;
}

}  // namespace

TEST_CASE(
    "live: a healthy tenant goes Online, a 503 degrades it within the bound, up restores it") {
  auto eu = start_sim("127.0.0.2");
  const auto m = tenant_monitor(eu.port());
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m)})}));

  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(eu.set_mode("503"));
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::status);
  REQUIRE(eu.set_mode("up"));
  REQUIRE(h.reaches(0, MonitorStatus::online, recover_bound(m)));

  const auto log = h.log_of_at_least(3);
  REQUIRE(log.size() == 3);  // one line per transition, nothing else
  CHECK(log[0].starts_with("probe: profile=ci. endpoint=eu CheckingEndpoint -> Online rtt="));
  CHECK(log[1] == R"(probe: profile=ci. endpoint=eu Online -> Degraded reason="http 503")");
  CHECK(log[2].starts_with("probe: profile=ci. endpoint=eu Degraded -> Online rtt="));
  for (const auto& line : log) CHECK(line.find("Y2kt") == std::string::npos);  // no credential
}

TEST_CASE("live: a tenant that accepts but never answers is Degraded with reason timeout") {
  auto eu = start_sim("127.0.0.2");
  const auto m = tenant_monitor(eu.port());
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m)})}));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(eu.set_mode("hang"));
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::timeout);
  CHECK(h.log_of_at_least(2).back().ends_with(R"(reason="timeout after 200ms")"));
}

TEST_CASE("live: slow answers within the timeout stay Online, beyond it are timeouts") {
  auto eu = start_sim("127.0.0.2");
  const auto m = tenant_monitor(eu.port());
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m)})}));
  REQUIRE(eu.set_mode("slow?ms=50"));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(eu.set_mode("slow?ms=400"));
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::timeout);
}

TEST_CASE("live: a closed port is Degraded with reason refused, and reopening restores it") {
  auto eu = start_sim("127.0.0.2");
  const auto m = tenant_monitor(eu.port());
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m)})}));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(eu.set_mode("refuse"));
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::refused);
  REQUIRE(eu.set_mode("up"));
  CHECK(h.reaches(0, MonitorStatus::online, recover_bound(m)));
}

TEST_CASE("live: a wrong password is Degraded with 200-200 and Online with 200-299,403") {
  auto eu = start_sim("127.0.0.2");
  auto strict = tenant_monitor(eu.port());
  strict.headers = {{"Authorization", routing::Secret(k_bad_auth)}};
  auto lenient = strict;
  lenient.expected_status = {{200, 299}, {403, 403}};
  Harness h(model_of({profile("ci.", {endpoint("strict", "127.0.0.2", strict),
                                      endpoint("lenient", "127.0.0.2", lenient)})}));
  REQUIRE(
      h.reaches(0, MonitorStatus::degraded, first_verdict_bound(strict) + degrade_bound(strict)));
  CHECK(h.state(0).reason == Reason::status);
  CHECK(h.reaches(1, MonitorStatus::online, first_verdict_bound(lenient)));
  for (const auto& line : h.log()) CHECK(line.find("Y2kt") == std::string::npos);
}

TEST_CASE("live: an untrusted certificate is a tls failure; verify_tls = false accepts it") {
  auto eu = start_sim("127.0.0.2");
  auto verifying = tenant_monitor(eu.port());
  verifying.ca_file.clear();  // the system store does not know our self-signed certificate
  // Loading the system CA bundle can outlast 200 ms under sanitizers; this case is about the
  // reason, so it gets time and degrades on the first failure.
  verifying.timeout = milliseconds(2000);
  verifying.interval = milliseconds(3000);
  verifying.tolerated_failures = 0;
  auto lax = verifying;
  lax.verify_tls = false;
  Harness h(model_of({profile(
      "ci.", {endpoint("verifying", "127.0.0.2", verifying), endpoint("lax", "127.0.0.2", lax)})}));
  REQUIRE(h.reaches(0, MonitorStatus::degraded,
                    first_verdict_bound(verifying) + degrade_bound(verifying)));
  CHECK(h.state(0).reason == Reason::tls);
  CHECK(h.log_of_at_least(1).size() >= 1);
  CHECK(h.reaches(1, MonitorStatus::online, first_verdict_bound(lax)));
}

TEST_CASE("live: a custom Host header names the TLS server for an IP target") {
  auto eu = start_sim("127.0.0.2");
  auto named = tenant_monitor(eu.port());
  named.host_header = "eu.tenant.test";  // in the certificate: SNI and name check pass
  auto foreign = named;
  foreign.host_header = "other.example";  // not in the certificate: the name check fails
  foreign.tolerated_failures = 0;
  Harness h(model_of({profile(
      "ci.", {endpoint("named", "127.0.0.2", named), endpoint("foreign", "127.0.0.2", foreign)})}));
  CHECK(h.reaches(0, MonitorStatus::online, first_verdict_bound(named)));
  REQUIRE(
      h.reaches(1, MonitorStatus::degraded, first_verdict_bound(foreign) + degrade_bound(foreign)));
  CHECK(h.state(1).reason == Reason::tls);
}

TEST_CASE("live: plain http with an expected body; a different body is reason body") {
  auto eu = start_sim("127.0.0.2", /*tls=*/false);
  auto right = tenant_monitor(eu.port());
  right.protocol = routing::Protocol::http;
  right.expected_body = R"("region":"eu")";
  auto wrong = right;
  wrong.expected_body = R"("region":"us")";
  Harness h(model_of({profile(
      "ci.", {endpoint("right", "127.0.0.2", right), endpoint("wrong", "127.0.0.2", wrong)})}));
  CHECK(h.reaches(0, MonitorStatus::online, first_verdict_bound(right)));
  REQUIRE(h.reaches(1, MonitorStatus::degraded, first_verdict_bound(wrong) + degrade_bound(wrong)));
  CHECK(h.state(1).reason == Reason::body);
}

TEST_CASE(
    "live: tcp probes go Online on connect, refused when closed, and leave no socket behind") {
  auto eu = start_sim("127.0.0.2", /*tls=*/false);
  auto m = tenant_monitor(eu.port());
  m.protocol = routing::Protocol::tcp;
  m.interval = milliseconds(100);
  m.timeout = milliseconds(80);
  const auto fds_before = open_fds();
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m)})}));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(wait_for(milliseconds(5000), [&] { return eu.connections().value_or(0) >= 20; }));
  // The multi handle's wakeup pair, a c-ares socket and one connection in flight at most.
  CHECK(open_fds() <= fds_before + 6);
  CHECK(eu.pings().value_or(99) == 0);  // connect only: no request sent
  REQUIRE(eu.set_mode("refuse"));
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::refused);
}

TEST_CASE("live: http probes keep one connection alive and still see 503, refuse and hang on it") {
  auto eu = start_sim("127.0.0.2", /*tls=*/false);
  auto m = tenant_monitor(eu.port());
  m.protocol = routing::Protocol::http;
  m.interval = milliseconds(100);
  m.timeout = milliseconds(80);
  m.tolerated_failures = 0;  // the first failed probe degrades: the bound is one interval + timeout
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m)})}));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(wait_for(milliseconds(5000), [&] { return eu.pings().value_or(0) >= 10; }));
  CHECK(eu.connections().value_or(99) == 1);  // ten probes, one connection

  // Each failure is seen on a connection kept from the probes before it.
  REQUIRE(eu.set_mode("503"));
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::status);
  CHECK(eu.connections().value_or(99) == 1);  // a 503 on a kept-alive connection keeps it
  REQUIRE(eu.set_mode("up"));
  REQUIRE(h.reaches(0, MonitorStatus::online, recover_bound(m)));

  REQUIRE(eu.set_mode("refuse"));  // the kept connection is reset at its next request
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::refused);
  REQUIRE(eu.set_mode("up"));
  REQUIRE(h.reaches(0, MonitorStatus::online, recover_bound(m)));

  const auto before_hang = eu.connections().value_or(0);
  REQUIRE(eu.set_mode("hang"));
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::timeout);
  CHECK(eu.connections().value_or(0) >= before_hang);
}

TEST_CASE("live: a probe with a Host header connects afresh for every probe") {
  auto eu = start_sim("127.0.0.2", /*tls=*/false);
  auto m = tenant_monitor(eu.port());
  m.protocol = routing::Protocol::http;
  m.interval = milliseconds(100);
  m.timeout = milliseconds(80);
  m.host_header = "eu.tenant.test";  // curl would match kept connections by this name alone
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m)})}));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(wait_for(milliseconds(5000), [&] { return eu.pings().value_or(0) >= 5; }));
  const auto pings = eu.pings().value_or(0);
  CHECK(eu.connections().value_or(0) >= pings);  // accepted before answered: never fewer
}

TEST_CASE("live: endpoints sharing target and monitor share one probe") {
  auto eu = start_sim("127.0.0.2");
  auto m = tenant_monitor(eu.port());
  m.interval = milliseconds(200);
  const auto started = Clock::now();
  Harness h(model_of({profile("a.", {endpoint("eu", "127.0.0.2", m)}),
                      profile("b.", {endpoint("eu", "127.0.0.2", m)})}));
  CHECK(h.prober.probe_count() == 1);
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(h.reaches(1, MonitorStatus::online, first_verdict_bound(m)));
  REQUIRE(wait_for(milliseconds(5000), [&] { return eu.pings().value_or(0) >= 8; }));
  // One probe spaces its pings at least 0.9 interval apart: 8 pings take >= 7 * 180 ms.
  // Two probes would have sent them in about half that time.
  CHECK(Clock::now() - started >= m.interval * 9 / 10 * 7);
  CHECK(h.log_of_at_least(2).size() == 2);  // one CheckingEndpoint -> Online line per endpoint
}

TEST_CASE("live: a disabled endpoint is never probed") {
  auto eu = start_sim("127.0.0.2");
  auto us = start_sim("127.0.0.3", true, "us");
  auto off = endpoint("us", "127.0.0.3", tenant_monitor(us.port()));
  off.enabled = false;
  const auto m = tenant_monitor(eu.port());
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m), off})}));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  // By the third ping to eu, us would have been probed at least once had it been enabled.
  REQUIRE(wait_for(milliseconds(5000), [&] { return eu.pings().value_or(0) >= 3; }));
  CHECK(us.pings() == std::optional<std::uint64_t>(0));
  CHECK(h.state(1).status == MonitorStatus::checking_endpoint);
}

TEST_CASE(
    "live: an FQDN endpoint resolved through resolver.servers is Online; NXDOMAIN degrades it") {
  TinyDns dns;
  REQUIRE(dns.ok());
  dns.set_a("eu.tenant.test", "127.0.0.2", 1);
  auto eu = start_sim("127.0.0.2");
  const auto m = tenant_monitor(eu.port());  // TLS checked against DNS:eu.tenant.test via SNI
  Harness h(model_of({profile("ci.", {endpoint("eu", "eu.tenant.test.", m)})}, {dns.server()}));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  CHECK(dns.queries() >= 1);
  dns.remove("eu.tenant.test");
  REQUIRE(h.reaches(0, MonitorStatus::degraded, degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::dns);
  CHECK(h.log_of_at_least(2).back().ends_with(R"(reason="dns: NXDOMAIN")"));
}

TEST_CASE("live: a resolver on a closed port fails FQDN probes with reason dns") {
  auto m = tenant_monitor(443);
  const auto dead = "127.0.0.1:" + std::to_string(closed_udp_port());
  Harness h(model_of({profile("ci.", {endpoint("eu", "eu.tenant.test.", m)})}, {dead}));
  REQUIRE(h.reaches(0, MonitorStatus::degraded, first_verdict_bound(m) + degrade_bound(m)));
  CHECK(h.state(0).reason == Reason::dns);
}

TEST_CASE(
    "live: flattened endpoints publish A records capped by the profile TTL and follow changes") {
  TinyDns dns;
  REQUIRE(dns.ok());
  dns.set_a("eu.tenant.test", "127.0.0.2", 1);
  auto eu = start_sim("127.0.0.2");
  auto p = profile("ci.", {endpoint("eu", "eu.tenant.test.", tenant_monitor(eu.port()))});
  p.flatten = true;
  p.ttl = 30;
  Harness h(model_of({p}, {dns.server()}));
  const auto holds = [&](std::array<std::uint8_t, 4> want) {
    routing::AddressList list;
    return h.flat.load(0, list) && list.v4_count == 1 && list.v4[0] == want && list.ttl == 1;
  };
  REQUIRE(wait_for(milliseconds(2000), [&] { return holds({127, 0, 0, 2}); }));
  // Record TTL 1 s: the change must show within that TTL plus one lookup.
  dns.set_a("eu.tenant.test", "127.0.0.4", 1);
  CHECK(wait_for(milliseconds(1000) + k_slack, [&] { return holds({127, 0, 0, 4}); }));
}

TEST_CASE("live: stop is prompt and safe to call twice") {
  auto eu = start_sim("127.0.0.2");
  auto m = tenant_monitor(eu.port());
  m.interval = milliseconds(60'000);
  Harness h(model_of({profile("ci.", {endpoint("eu", "127.0.0.2", m)})}));
  REQUIRE(h.reaches(0, MonitorStatus::online, first_verdict_bound(m)));
  const auto before = Clock::now();
  h.prober.stop();
  h.prober.stop();
  CHECK(Clock::now() - before < milliseconds(500));  // woken, not waiting out the interval
}
