// [[key]] update_* (the key's dynamic update policy) and [server] update_log: defaults, and
// errors that name the file, line and key.
#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;

namespace {

std::string key_with(const std::string& lines) {
  return "[[key]]\nname = \"acme\"\nsecret_file = \"tsig/xfr.secret\"\n" + lines +
         std::string(conf_test::zone_toml);
}

}  // namespace

TEST_CASE("a key with update_zones may update TXT under _acme-challenge by default") {
  const auto result = load(key_with("update_zones = \"tm.example.com.\"\n"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  REQUIRE(result.config->update_policies.size() == 1);
  const auto& policy = result.config->update_policies[0];
  CHECK(policy.key.to_text() == "acme.");
  CHECK(policy.zones.size() == 1);
  CHECK(policy.names == std::vector<std::string>{"_acme-challenge"});
  CHECK(policy.types == std::vector<std::uint16_t>{16});
  // The defaults README "Dynamic updates (RFC 2136)" and the key table give.
  CHECK(policy.max_records == 100);
  CHECK(policy.ttl_min == 0);
  CHECK(policy.ttl_max == 86400);
  CHECK(policy.rate == 60);
  CHECK_FALSE(policy.expire);
  CHECK(result.config->server.update_log.empty());
}

TEST_CASE("a key without update_* keys has no update policy") {
  const auto result = load(key_with(""));
  REQUIRE(result.config);
  CHECK(result.config->update_policies.empty());
}

TEST_CASE("every update_* key is read") {
  const auto result = load(key_with(R"(update_zones = ["tm.example.com."]
update_names = ["_acme-challenge", "host.tm.example.com."]
update_types = ["TXT", "A"]
update_max_records = 5
update_ttl_min = 60
update_ttl_max = 600
update_rate = 10
update_expire = "1h"
)"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto& policy = result.config->update_policies[0];
  CHECK(policy.names.size() == 2);
  CHECK(policy.types == std::vector<std::uint16_t>{16, 1});
  CHECK(policy.max_records == 5);
  CHECK(policy.ttl_min == 60);
  CHECK(policy.ttl_max == 600);
  CHECK(policy.rate == 10);
  CHECK(policy.expire == std::chrono::seconds(3600));
}

TEST_CASE("update policy errors name the file, the line and the key") {
  SUBCASE("a zone that is not served") {
    const std::string text = key_with("update_zones = [\"elsewhere.example.\"]\n");
    check_error(load(text), inline_path, line_containing(text, "update_zones"),
                "key[0].update_zones[0]", "not a [[zone]]");
  }
  SUBCASE("a type that cannot be updated") {
    const std::string text =
        key_with("update_zones = [\"tm.example.com.\"]\nupdate_types = [\"TXT\", \"SOA\"]\n");
    check_error(load(text), inline_path, line_containing(text, "update_types"),
                "key[0].update_types[1]", "cannot be updated");
  }
  SUBCASE("update_* without update_zones") {
    const std::string text = key_with("update_types = [\"TXT\"]\n");
    check_error(load(text), inline_path, 1, "key[0].update_zones", "required");
  }
  SUBCASE("an empty update_log") {
    const std::string text = "[server]\nupdate_log = \"\"\n" + std::string(conf_test::zone_toml);
    check_error(load(text), inline_path, 2, "server.update_log", "must name a file");
  }
}
