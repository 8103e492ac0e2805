// control::server_config(): conf's [server] section as dnsd's servers and engine read it.
#include <doctest/doctest.h>

#include "conf/config.hh"
#include "control/generation.hh"

using namespace std::chrono_literals;

TEST_CASE("server config: every field of [server] reaches the servers' ServerConfig") {
  conf::ServerSection section;
  section.listen = {{"127.0.0.1", 5300}, {"::1", 5301}};
  section.workers = 3;
  section.udp_payload = 1400;
  section.tcp_idle_timeout = 15s;
  section.tcp_io_timeout = 750ms;
  section.tcp_max_connections = 99;
  section.tcp_max_connections_per_client = 7;
  section.chaos_version = "dnsd test";
  section.chaos_identity = "ns1.test";
  section.user = "nobody";
  const dnsd::ServerConfig server = control::server_config(section);
  CHECK(server.listen == std::vector<dnsd::ListenAddress>{{"127.0.0.1", 5300}, {"::1", 5301}});
  CHECK(server.workers == 3);
  CHECK(server.udp_payload == 1400);
  CHECK(server.tcp_idle_timeout == 15s);
  CHECK(server.tcp_io_timeout == 750ms);
  CHECK(server.tcp_max_connections == 99);
  CHECK(server.tcp_max_connections_per_client == 7);
  CHECK(server.chaos_version == "dnsd test");
  CHECK(server.chaos_identity == "ns1.test");
  CHECK(server.user == "nobody");
}

TEST_CASE("server config: the config file's defaults are the servers' defaults") {
  const dnsd::ServerConfig from_file = control::server_config(conf::ServerSection{});
  const dnsd::ServerConfig defaults;
  CHECK(from_file.listen == defaults.listen);
  CHECK(from_file.workers == defaults.workers);
  CHECK(from_file.udp_payload == defaults.udp_payload);
  CHECK(from_file.tcp_idle_timeout == defaults.tcp_idle_timeout);
  CHECK(from_file.tcp_io_timeout == defaults.tcp_io_timeout);
  CHECK(from_file.tcp_max_connections == defaults.tcp_max_connections);
  CHECK(from_file.tcp_max_connections_per_client == defaults.tcp_max_connections_per_client);
  CHECK_FALSE(from_file.chaos_version);
  CHECK_FALSE(from_file.chaos_identity);
  CHECK_FALSE(from_file.user);
}
