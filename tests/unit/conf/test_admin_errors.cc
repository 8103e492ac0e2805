// [admin] section: defaults, the values it accepts, and one case per error rule, each checking
// file, line, key and message.
#include <doctest/doctest.h>

#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;
using conf_test::zone_toml;

namespace {

std::string with_admin(std::string_view admin) {
  return std::string(zone_toml) + "[admin]\n" + std::string(admin);
}

}  // namespace

TEST_CASE("admin: off by default, loopback port 8053 and 20 probe results when on") {
  const auto result = load(zone_toml);
  REQUIRE(result.config);
  CHECK_FALSE(result.config->admin.enabled);
  CHECK(result.config->admin.listen_address == "127.0.0.1");
  CHECK(result.config->admin.listen_port == 8053);
  CHECK(result.config->admin.history == 20);
  CHECK(result.config->admin.state_file.empty());
}

TEST_CASE("admin: enabled with a token file, listen address, history and state file") {
  const auto result = load(with_admin(R"(enabled = true
listen = "[::1]:9053"
token_file = "admin/good.token"
history = 7
state_file = "state.json"
)"));
  REQUIRE_MESSAGE(result.config, conf_test::all_errors(result));
  const auto& admin = result.config->admin;
  CHECK(admin.enabled);
  CHECK(admin.listen_address == "::1");
  CHECK(admin.listen_port == 9053);
  CHECK(admin.token.reveal() == "tok-0123456789abcdef0123");  // the newline is not part of it
  CHECK(admin.history == 7);
  CHECK(admin.state_file == conf_test::data_path("state.json"));
}

TEST_CASE("admin errors: enabled without a token file") {
  const auto toml = with_admin("enabled = true\n");
  check_error(load(toml), inline_path, line_containing(toml, "[admin]"), "admin.token_file",
              "is required when the admin API is enabled");
}

TEST_CASE("admin errors: a token file that cannot be read") {
  const auto toml = with_admin("enabled = true\ntoken_file = \"admin/missing.token\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "missing.token"), "admin.token_file",
              "cannot read");
}

TEST_CASE("admin errors: a token shorter than 16 characters") {
  const auto toml = with_admin("enabled = true\ntoken_file = \"admin/short.token\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "short.token"), "admin.token_file",
              "must be at least 16 characters long");
}

TEST_CASE("admin: a read-only metrics token beside the admin token") {
  const auto result = load(with_admin(R"(enabled = true
token_file = "admin/good.token"
metrics_token_file = "admin/metrics.token"
)"));
  REQUIRE_MESSAGE(result.config, conf_test::all_errors(result));
  CHECK(result.config->admin.metrics_token.reveal() == "metrics-tok-0123456789abcdef");
  CHECK(result.config->admin.token.reveal() == "tok-0123456789abcdef0123");
  CHECK(load(with_admin("enabled = true\ntoken_file = \"admin/good.token\"\n"))
            .config->admin.metrics_token.empty());  // optional
}

TEST_CASE("admin errors: a metrics token that is the admin token") {
  const auto toml = with_admin(
      "enabled = true\ntoken_file = \"admin/good.token\"\n"
      "metrics_token_file = \"admin/../admin/good.token\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "metrics_token_file"),
              "admin.metrics_token_file", "must hold a different token from token_file");
}

TEST_CASE("admin errors: a metrics token shorter than 16 characters, or missing") {
  auto toml = with_admin(
      "enabled = true\ntoken_file = \"admin/good.token\"\n"
      "metrics_token_file = \"admin/short.token\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "metrics_token_file"),
              "admin.metrics_token_file", "must be at least 16 characters long");
  toml = with_admin(
      "enabled = true\ntoken_file = \"admin/good.token\"\n"
      "metrics_token_file = \"admin/missing.token\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "metrics_token_file"),
              "admin.metrics_token_file", "cannot read");
}

TEST_CASE("admin errors: a listen address without a port") {
  const auto toml = with_admin("listen = \"127.0.0.1\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "listen"), "admin.listen",
              "bad address \"127.0.0.1\"");
}

TEST_CASE("admin errors: history out of range") {
  const auto toml = with_admin("history = 0\n");
  check_error(load(toml), inline_path, line_containing(toml, "history"), "admin.history",
              "must be between 1 and 1000, got 0");
}

TEST_CASE("admin errors: an empty state file name") {
  const auto toml = with_admin("state_file = \"\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "state_file"), "admin.state_file",
              "must name a file");
}

TEST_CASE("admin errors: enabled must be a boolean") {
  const auto toml = with_admin("enabled = \"yes\"\ntoken_file = \"admin/good.token\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "enabled"), "admin.enabled",
              "must be true or false");
}

TEST_CASE("admin errors: an unknown key lists the expected ones") {
  const auto toml = with_admin("token = \"inline-tokens-are-not-allowed\"\n");
  check_error(
      load(toml), inline_path, line_containing(toml, "token ="), "admin.token",
      "unknown key \"token\" (expected one of enabled, listen, token_file, metrics_token_file, "
      "history, state_file, max_connections, request_timeout, hosts)");
}

TEST_CASE("admin: 64 connections, a 10 s request timeout and no extra host names by default") {
  const auto result = load(with_admin(""));
  REQUIRE(result.config);
  CHECK(result.config->admin.max_connections == 64);
  CHECK(result.config->admin.request_timeout == std::chrono::seconds(10));
  CHECK(result.config->admin.hosts.empty());
}

TEST_CASE("admin: connection limits and host names, lower-cased without the trailing dot") {
  const auto result =
      load(with_admin("max_connections = 8\nrequest_timeout = \"2s\"\nhosts = "
                      "[\"Ops.Example.NET.\", \"dnsd.test\"]\n"));
  REQUIRE(result.config);
  CHECK(result.config->admin.max_connections == 8);
  CHECK(result.config->admin.request_timeout == std::chrono::seconds(2));
  CHECK(result.config->admin.hosts == std::vector<std::string>{"ops.example.net", "dnsd.test"});
}

TEST_CASE("admin errors: max_connections out of range") {
  const auto toml = with_admin("max_connections = 0\n");
  check_error(load(toml), inline_path, line_containing(toml, "max_connections"),
              "admin.max_connections", "must be between 1 and 10000, got 0");
}

TEST_CASE("admin errors: a host with a port is not a host name") {
  const auto toml = with_admin("hosts = [\"dnsd.test:8053\"]\n");
  check_error(load(toml), inline_path, line_containing(toml, "hosts"), "admin.hosts[0]",
              "\"dnsd.test:8053\" is not a host name");
}
