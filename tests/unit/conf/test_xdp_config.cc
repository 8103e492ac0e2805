// [xdp]: the AF_XDP path's settings, off by default, and their errors.
#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::load;

namespace {

std::string with_zone(const std::string& before) {
  return before + std::string(conf_test::zone_toml);
}

}  // namespace

TEST_CASE("xdp: off by default") {
  const auto result = load(std::string(conf_test::zone_toml));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  CHECK(result.config->xdp.interface.empty());
  CHECK_FALSE(result.config->xdp.port);
  CHECK(result.config->xdp.queues == 1);
}

TEST_CASE("xdp: every key is read, and the port defaults to none given") {
  auto result = load(with_zone("[xdp]\ninterface = \"eth0\"\nport = 5353\nqueues = 4\n"));
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  CHECK(result.config->xdp.interface == "eth0");
  CHECK(result.config->xdp.port == 5353);
  CHECK(result.config->xdp.queues == 4);
  result = load(with_zone("[xdp]\ninterface = \"vb\"\n"));
  REQUIRE(result.config);
  CHECK_FALSE(result.config->xdp.port);  // the daemon takes the first listen port
}

TEST_CASE("xdp: a missing or overlong interface, bad numbers and unknown keys are errors") {
  check_error(load(with_zone("[xdp]\nqueues = 2\n")), inline_path, 1, "xdp.interface",
              "is required");
  check_error(load(with_zone("[xdp]\ninterface = \"a-name-longer-than-15\"\n")), inline_path, 2,
              "xdp.interface", "must be an interface name of 1 to 15 bytes");
  check_error(load(with_zone("[xdp]\ninterface = \"\"\n")), inline_path, 2, "xdp.interface",
              "must be an interface name");
  check_error(load(with_zone("[xdp]\ninterface = \"vb\"\nqueues = 0\n")), inline_path, 3,
              "xdp.queues", "");
  check_error(load(with_zone("[xdp]\ninterface = \"vb\"\nport = 70000\n")), inline_path, 3,
              "xdp.port", "");
  check_error(load(with_zone("[xdp]\ninterface = \"vb\"\nmode = \"native\"\n")), inline_path, 3,
              "xdp.mode", "unknown key");
}
