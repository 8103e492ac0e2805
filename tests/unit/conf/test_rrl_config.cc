// [rrl]: response rate limiting settings, their defaults (off) and their errors.
#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::load;

namespace {

std::string with_zone(const std::string& before) {
  return before + std::string(conf_test::zone_toml);
}

}  // namespace

TEST_CASE("rrl: off by default, with BIND's and Knot's usual values ready") {
  const auto result = load(std::string(conf_test::zone_toml));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const conf::RrlSection& rrl = result.config->rrl;
  CHECK_FALSE(rrl.enabled);
  CHECK(rrl.rate == 20);
  CHECK(rrl.window == std::chrono::seconds(15));
  CHECK(rrl.slip == 2);
  CHECK(rrl.ipv4_prefix == 24);
  CHECK(rrl.ipv6_prefix == 56);
  CHECK(rrl.exempt.empty());
}

TEST_CASE("rrl: every key is read") {
  const auto result = load(with_zone(R"([rrl]
enabled = true
rate = 5
window = "3s"
slip = 0
ipv4_prefix = 32
ipv6_prefix = 64
exempt = ["192.0.2.0/24", "2001:db8::/32"]
table_size = 4096
)"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const conf::RrlSection& rrl = result.config->rrl;
  CHECK(rrl.enabled);
  CHECK(rrl.rate == 5);
  CHECK(rrl.window == std::chrono::seconds(3));
  CHECK(rrl.slip == 0);
  CHECK(rrl.ipv4_prefix == 32);
  CHECK(rrl.ipv6_prefix == 64);
  REQUIRE(rrl.exempt.size() == 2);
  CHECK(rrl.exempt[1].v6);
  CHECK(rrl.table_size == 4096);
}

TEST_CASE("rrl: a bad exempt range, a fractional window and an unknown key are errors") {
  check_error(load(with_zone("[rrl]\nexempt = [\"192.0.2.0/33\"]\n")), inline_path, 2,
              "rrl.exempt[0]", "bad address range");
  check_error(load(with_zone("[rrl]\nwindow = \"1500ms\"\n")), inline_path, 2, "rrl.window",
              "must be whole seconds");
  check_error(load(with_zone("[rrl]\nrates = 5\n")), inline_path, 2, "rrl.rates", "unknown key");
}
