// Config errors outside profiles: one case per rule, each checking file, line, key and message.
#include <doctest/doctest.h>

#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;
using conf_test::zone_toml;

TEST_CASE("errors: a TOML syntax error keeps toml++'s line and description") {
  const std::string toml = "log_level = \"info\"\n[server\nworkers = 1\n";
  const auto result = load(toml);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.config == nullptr);
  CHECK(result.errors[0].file == inline_path);
  CHECK(result.errors[0].line == 2);
  CHECK(result.errors[0].key.empty());
  CHECK_FALSE(result.errors[0].message.empty());
}

TEST_CASE("errors: a config file that cannot be read is one error naming it") {
  const auto result = conf::load_file(conf_test::data_path("no-such.toml"));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.config == nullptr);
  CHECK(result.errors[0].to_string().find("no-such.toml: cannot read the config file") !=
        std::string::npos);
}

TEST_CASE("errors: a directory given as the config file is refused as such") {
  const auto result = conf::load_file(conf_test::data_path("certs"));
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].message.find("it is a directory") != std::string::npos);
}

TEST_CASE("errors: an unknown key names the keys that are expected there") {
  const std::string toml = std::string(zone_toml) + R"([[zone.record]]
name = "www"
type = "A"
tll = 300
data = "192.0.2.1"
)";
  check_error(load(toml), inline_path, line_containing(toml, "tll"), "zone[0].record[0].tll",
              R"(unknown key "tll" (expected one of name, type, ttl, data, zone))");
}

TEST_CASE("errors: an unknown top-level key or section is refused") {
  const std::string toml = std::string("[servers]\nworkers = 2\n") + std::string(zone_toml);
  check_error(
      load(toml), inline_path, 1, "servers",
      R"(unknown key "servers" (expected one of log_level, server, resolver, admin, key, zone, profile, publish, secondary, catalog, cookies, rrl, fleet, dnstap, xdp))");
}

TEST_CASE("errors: an unknown record type lists the supported ones") {
  const std::string toml = std::string(zone_toml) + R"([[zone.record]]
name = "www"
type = "AAA"
data = "192.0.2.1"
)";
  check_error(
      load(toml), inline_path, line_containing(toml, "\"AAA\""), "zone[0].record[0].type",
      R"(unknown record type "AAA" (expected one of A, AAAA, CNAME, TXT, MX, SRV, CAA, NS, PTR)");
}

TEST_CASE("errors: bad record data points at the element of the data array") {
  const std::string toml = std::string(zone_toml) + R"([[zone.record]]
name = "www"
type = "A"
data = ["192.0.2.1",
        "192.0.2.256"]
)";
  check_error(load(toml), inline_path, line_containing(toml, "192.0.2.256"),
              "zone[0].record[0].data[1]", R"(bad A data "192.0.2.256": bad IPv4 address)");
}

TEST_CASE("errors: a record outside its zone is refused") {
  const std::string toml = std::string(zone_toml) + R"([[zone.record]]
name = "www.example.net."
type = "A"
data = "192.0.2.1"
)";
  check_error(load(toml), inline_path, line_containing(toml, "www.example.net"),
              "zone[0].record[0].name", "www.example.net. is outside the zone tm.example.com.");
}

TEST_CASE("errors: a value of the wrong TOML type says which type is expected") {
  const std::string toml = std::string("[server]\nworkers = \"two\"\n") + std::string(zone_toml);
  check_error(load(toml), inline_path, 2, "server.workers",
              "must be an integer from 1 to 64, got a string");
}

TEST_CASE("errors: out-of-range numbers give the range and the value") {
  const std::string toml = R"([server]
udp_payload = 100
tcp_max_connections = 0
[[zone]]
name = "tm.example.com."
default_ttl = 2147483648
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
)";
  const auto result = load(toml);
  check_error(result, inline_path, 2, "server.udp_payload",
              "must be between 512 and 4096, got 100");
  check_error(result, inline_path, 3, "server.tcp_max_connections",
              "must be between 1 and 65535, got 0");
  check_error(result, inline_path, line_containing(toml, "default_ttl"), "zone[0].default_ttl",
              "must be between 0 and 2147483647, got 2147483648");
}

TEST_CASE("errors: the TCP I/O timeout and the per-client limit are range-checked") {
  const std::string toml = std::string(R"([server]
tcp_io_timeout = "5ms"
tcp_max_connections_per_client = 0
)") + std::string(zone_toml);
  const auto result = load(toml);
  check_error(result, inline_path, 2, "server.tcp_io_timeout",
              "must be between 10ms and 1m, got 5ms");
  check_error(result, inline_path, 3, "server.tcp_max_connections_per_client",
              "must be between 1 and 65535, got 0");
}

TEST_CASE("server: a valid TCP I/O timeout and per-client limit are read") {
  const std::string toml = std::string(R"([server]
tcp_io_timeout = "250ms"
tcp_max_connections_per_client = 8
)") + std::string(zone_toml);
  const auto result = load(toml);
  REQUIRE(result.config);
  CHECK(result.config->server.tcp_io_timeout == std::chrono::milliseconds(250));
  CHECK(result.config->server.tcp_max_connections_per_client == 8);
}

TEST_CASE("errors: a bad duration shows the accepted forms") {
  const std::string toml =
      std::string("[server]\ntcp_idle_timeout = \"10 seconds\"\n") + std::string(zone_toml);
  check_error(
      load(toml), inline_path, 2, "server.tcp_idle_timeout",
      R"(invalid duration "10 seconds" (expected an integer number of seconds or a string like "500ms")");
}

TEST_CASE("errors: bad listen addresses are reported one by one") {
  const std::string toml = std::string(R"([server]
listen = ["127.0.0.1:5353",
          "127.0.0.1",
          "::1:53",
          "127.0.0.1:5353"]
)") + std::string(zone_toml);
  const auto result = load(toml);
  check_error(result, inline_path, 3, "server.listen[1]",
              "bad address \"127.0.0.1\": no port (expected");
  check_error(result, inline_path, 4, "server.listen[2]", "an IPv6 address needs brackets");
  check_error(result, inline_path, 5, "server.listen[3]", "127.0.0.1:5353 is listed twice");
  CHECK(result.errors.size() == 3);
}

TEST_CASE("errors: an empty listen list is refused") {
  const std::string toml = std::string("[server]\nlisten = []\n") + std::string(zone_toml);
  check_error(load(toml), inline_path, 2, "server.listen", "must list at least one address");
}

TEST_CASE("errors: server.user must name an existing user") {
  const std::string unknown =
      std::string("[server]\nuser = \"no-such-user-dnsd\"\n") + std::string(zone_toml);
  check_error(load(unknown), inline_path, 2, "server.user", "no such user \"no-such-user-dnsd\"");
  const std::string empty = std::string("[server]\nuser = \"\"\n") + std::string(zone_toml);
  check_error(load(empty), inline_path, 2, "server.user", "must name a user");
  const auto good = load(std::string("[server]\nuser = \"nobody\"\n") + std::string(zone_toml));
  REQUIRE(good.config != nullptr);
  CHECK(good.config->server.user == "nobody");
}

TEST_CASE("errors: a bad resolver server address is refused") {
  const std::string toml =
      std::string("[resolver]\nservers = [\"dns.google\"]\n") + std::string(zone_toml);
  check_error(load(toml), inline_path, 2, "resolver.servers[0]", "bad address \"dns.google\"");
}

TEST_CASE("errors: an unknown log level lists the levels") {
  const std::string toml = std::string("log_level = \"verbose\"\n") + std::string(zone_toml);
  check_error(load(toml), inline_path, 1, "log_level",
              R"(unknown log level "verbose" (expected one of debug, info, warning, error))");
}

TEST_CASE("errors: a config without zones is refused") {
  check_error(load("log_level = \"info\"\n"), inline_path, 0, "zone",
              "at least one [[zone]] is required");
}

TEST_CASE("errors: a zone without SOA (neither [zone.soa] nor in the master file) is refused") {
  const std::string toml = R"([[zone]]
name = "tm.example.com."
ns = ["ns1"]
)";
  check_error(load(toml), inline_path, 1, "zone[0].soa",
              "is required: a [zone.soa] table (mname, rname, serial, ...) or an SOA record in the "
              "master file");
}

TEST_CASE("errors: an SOA in both [zone.soa] and the master file is refused") {
  const std::string toml = R"([[zone]]
name = "tm.example.com."
file = "apex_only.zone"
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
)";
  check_error(load(toml), inline_path, line_containing(toml, "[zone.soa]"), "zone[0].soa",
              "the master file already has the SOA record (" +
                  conf_test::data_path("apex_only.zone") + ":1)");
}

TEST_CASE("errors: a zone without apex NS is refused, saying where NS can come from") {
  const std::string toml = R"([[zone]]
name = "tm.example.com."
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
)";
  check_error(load(toml), inline_path, 1, "zone[0].ns",
              "the zone has no NS records at its apex (expected ns = [");
}

TEST_CASE("errors: a missing SOA field and a bad SOA serial are reported at their keys") {
  const std::string toml = R"([[zone]]
name = "tm.example.com."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
serial = -1
retry = "1s500ms"
)";
  const auto result = load(toml);
  check_error(result, inline_path, 4, "zone[0].soa.rname", "is required (a string)");
  check_error(result, inline_path, 6, "zone[0].soa.serial",
              "must be between 0 and 4294967295, got -1");
  check_error(result, inline_path, 7, "zone[0].soa.retry", "must be a whole number of seconds");
}

TEST_CASE("errors: the same zone twice is refused") {
  const std::string toml = std::string(zone_toml) + std::string(zone_toml);
  check_error(load(toml), inline_path, 9, "zone[1].name",
              "zone tm.example.com. is already defined by zone[0]");
}

TEST_CASE("errors: an SOA in [[zone.record]] is sent to [zone.soa]") {
  const std::string toml = std::string(zone_toml) + R"([[zone.record]]
name = "@"
type = "SOA"
data = "ns1 hostmaster 1 1 1 1 1"
)";
  check_error(load(toml), inline_path, line_containing(toml, "\"SOA\""), "zone[0].record[0].type",
              "the SOA record goes in [zone.soa]");
}

TEST_CASE("errors: whole-zone problems found by the zone builder are reported at the zone's name") {
  const std::string toml = std::string(zone_toml) + R"([[zone.record]]
name = "www"
type = "CNAME"
data = "elsewhere.example.net."
[[zone.record]]
name = "www"
type = "A"
data = "192.0.2.1"
)";
  check_error(load(toml), inline_path, 2, "zone[0].name", "CNAME and other data at the same name");
}

TEST_CASE("errors: every error is collected, not only the first") {
  const std::string toml = R"(log_level = "loud"
[server]
workers = 0
[[zone]]
name = "tm.example.com."
ns = ["ns1"]
bogus = 1
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
[[zone.record]]
name = "www"
type = "A"
data = "nope"
)";
  const auto result = load(toml);
  CHECK(result.config == nullptr);
  INFO(conf_test::all_errors(result));
  CHECK(result.errors.size() == 4);
  check_error(result, inline_path, 1, "log_level", "unknown log level");
  check_error(result, inline_path, 3, "server.workers", "must be between 1 and 64, got 0");
  check_error(result, inline_path, 7, "zone[0].bogus", "unknown key \"bogus\"");
  check_error(result, inline_path, 15, "zone[0].record[0].data", "bad A data \"nope\"");
}
