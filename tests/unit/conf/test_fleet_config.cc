// [fleet]: off when absent, its defaults, every key, and errors naming file, line and key.
#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::load;

namespace {

std::string with_zone(const std::string& before) {
  return before + std::string(conf_test::zone_toml);
}

const std::string minimal = R"([fleet]
name = "dns-1"
vantage = "eu-west"
endpoints = ["http://127.0.0.1:2379"]
)";

}  // namespace

TEST_CASE("fleet: off when the section is absent") {
  const auto result = load(std::string(conf_test::zone_toml));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  CHECK_FALSE(result.config->fleet.enabled);
}

TEST_CASE("fleet: name, vantage and endpoints are enough, the rest has defaults") {
  const auto result = load(with_zone(minimal));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const conf::FleetSection& fleet = result.config->fleet;
  CHECK(fleet.enabled);
  CHECK(fleet.name == "dns-1");
  CHECK(fleet.vantage == "eu-west");
  CHECK(fleet.endpoints == std::vector<std::string>{"http://127.0.0.1:2379"});
  CHECK(fleet.prefix == "/dnsd/");
  CHECK(fleet.rule == fleet::Rule{});
  CHECK(fleet.lease_ttl == std::chrono::seconds(10));
  CHECK(fleet.user.empty());
  CHECK(fleet.password.empty());
}

TEST_CASE("fleet: every key is read, the password from its file") {
  const auto result = load(with_zone(R"([fleet]
name = "dns-2"
vantage = "us-east"
endpoints = ["https://127.0.0.1:2379", "https://[::1]:2381"]
prefix = "/prod/dnsd/"
rule = "at_least:2"
lease_ttl = "5s"
ca_file = "certs/ca.pem"
client_cert_file = "certs/client.pem"
client_key_file = "certs/client.key"
user = "dnsd"
password_file = "fleet/etcd.password"
)"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const conf::FleetSection& fleet = result.config->fleet;
  CHECK(fleet.endpoints.size() == 2);
  CHECK(fleet.prefix == "/prod/dnsd/");
  CHECK(fleet.rule.kind == fleet::Rule::Kind::at_least);
  CHECK(fleet.rule.at_least == 2);
  CHECK(fleet.lease_ttl == std::chrono::seconds(5));
  CHECK(fleet.ca_file == conf_test::data_path("certs/ca.pem"));
  CHECK(fleet.client_key_file == conf_test::data_path("certs/client.key"));
  CHECK(fleet.user == "dnsd");
  CHECK(fleet.password.reveal() == "etcd-pass-1234");
}

TEST_CASE("fleet: a missing name, a bad rule, URL, prefix or lease and an unknown key are errors") {
  check_error(load(with_zone("[fleet]\nvantage = \"eu\"\nendpoints = [\"http://127.0.0.1:1\"]\n")),
              inline_path, 1, "fleet.name", "required");
  check_error(load(with_zone(minimal + "rule = \"most\"\n")), inline_path, 5, "fleet.rule",
              "must be \"majority\"");
  check_error(load(with_zone(minimal + "rule = \"fraction:1.5\"\n")), inline_path, 5, "fleet.rule",
              "must be \"majority\"");
  check_error(load(with_zone(minimal + "prefix = \"dnsd\"\n")), inline_path, 5, "fleet.prefix",
              "must start and end with");
  check_error(load(with_zone(minimal + "lease_ttl = \"1s\"\n")), inline_path, 5, "fleet.lease_ttl",
              "");
  check_error(load(with_zone(minimal + "rules = \"majority\"\n")), inline_path, 5, "fleet.rules",
              "unknown key");
  check_error(load(with_zone("[fleet]\nname = \"a/b\"\nvantage = \"eu\"\n"
                             "endpoints = [\"http://127.0.0.1:1\"]\n")),
              inline_path, 2, "fleet.name", "letters, digits");
  check_error(load(with_zone("[fleet]\nname = \"a\"\nvantage = \"eu\"\n"
                             "endpoints = [\"127.0.0.1:2379\"]\n")),
              inline_path, 4, "fleet.endpoints[0]", "not an etcd client URL");
}

TEST_CASE("fleet: user and password_file go together, and the password is never quoted") {
  check_error(load(with_zone(minimal + "user = \"dnsd\"\n")), inline_path, 5, "fleet.user",
              "go together");
  const auto missing = load(with_zone(minimal + "user = \"dnsd\"\npassword_file = \"nope\"\n"));
  check_error(missing, inline_path, 6, "fleet.password_file", "cannot read");
  // A secret file may not be $INCLUDEd or quoted: its content appears in no message.
  const auto result =
      load(with_zone(minimal + "user = \"dnsd\"\npassword_file = \"fleet/etcd.password\"\n"));
  for (const auto& warning : result.warnings) CHECK(warning.find("etcd-pass") == std::string::npos);
}
