// [server] probe_source_ipv4 / probe_source_ipv6: the local addresses probes leave from.
#include <doctest/doctest.h>

#include <string>

#include "conf/address.hh"
#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;
using conf_test::zone_toml;

TEST_CASE("probe source: absent keys leave the choice to the kernel") {
  const auto result = load(std::string(zone_toml));
  REQUIRE(result.config);
  CHECK(result.config->model.probe_source == routing::ProbeSource{});
}

TEST_CASE("probe source: an address of this host is kept in canonical form") {
  const auto result =
      load("[server]\nprobe_source_ipv4 = \"127.0.0.21\"\n" + std::string(zone_toml));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  CHECK(result.config->model.probe_source.ipv4 == "127.0.0.21");
  CHECK(result.config->model.probe_source.ipv6.empty());

  // IPv6 only where the host has it (CI does; a container may not).
  if (conf::bind_error(*conf::parse_ip("::1")).empty()) {
    const auto v6 = load("[server]\nprobe_source_ipv6 = \"0:0::1\"\n" + std::string(zone_toml));
    REQUIRE(v6.config);
    CHECK(v6.config->model.probe_source.ipv6 == "::1");
  }
}

TEST_CASE("probe source: an address of the other family is an error naming file, line, key") {
  const std::string text =
      "[server]\nworkers = 1\nprobe_source_ipv4 = \"::1\"\n"
      "probe_source_ipv6 = \"127.0.0.21\"\n" +
      std::string(zone_toml);
  const auto result = load(text);
  check_error(result, inline_path, line_containing(text, "probe_source_ipv4"),
              "server.probe_source_ipv4", "must be an IPv4 address, got \"::1\"");
  check_error(result, inline_path, line_containing(text, "probe_source_ipv6"),
              "server.probe_source_ipv6", "must be an IPv6 address, got \"127.0.0.21\"");
}

TEST_CASE("probe source: what is not an address, or not a string, is an error") {
  for (const char* value : {"\"127.0.0.300\"", "\"localhost\"", "\"\"", "\"127.0.0.21:80\""}) {
    const std::string text =
        std::string("[server]\nprobe_source_ipv4 = ") + value + "\n" + std::string(zone_toml);
    INFO(value);
    check_error(load(text), inline_path, 2, "server.probe_source_ipv4", "must be an IPv4 address");
  }
  const std::string text = "[server]\nprobe_source_ipv4 = 21\n" + std::string(zone_toml);
  check_error(load(text), inline_path, 2, "server.probe_source_ipv4", "must be a string");
}

TEST_CASE("probe source: an address this host does not have is an error, not a failing probe") {
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a host.
  const std::string text = "[server]\nprobe_source_ipv4 = \"192.0.2.1\"\n" + std::string(zone_toml);
  check_error(load(text), inline_path, 2, "server.probe_source_ipv4",
              "cannot bind \"192.0.2.1\": Cannot assign requested address");
}
