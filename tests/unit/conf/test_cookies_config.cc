// [cookies] section: on by default with no secret (dnsd picks one), secrets from files as 32 hex
// digits, and one case per error rule; no message quotes a secret file's content.
#include <doctest/doctest.h>

#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;
using conf_test::zone_toml;

namespace {

std::string with_cookies(std::string_view cookies) {
  return std::string(zone_toml) + "[cookies]\n" + std::string(cookies);
}

}  // namespace

TEST_CASE("cookies: on by default, without a configured secret") {
  const auto result = load(zone_toml);
  REQUIRE(result.config);
  CHECK(result.config->server.cookies.enabled);
  CHECK_FALSE(result.config->server.cookies.secret);
  CHECK_FALSE(result.config->server.cookies.previous_secret);
}

TEST_CASE("cookies: the secret and the previous one are read as hex, 0x and newline allowed") {
  const auto result = load(with_cookies(R"(enabled = true
secret_file = "cookies/current.key"
previous_secret_file = "cookies/previous.key"
)"));
  REQUIRE_MESSAGE(result.config, conf_test::all_errors(result));
  const auto& cookies = result.config->server.cookies;
  REQUIRE(cookies.secret);
  CHECK((*cookies.secret)[0] == 0xe5);
  CHECK((*cookies.secret)[15] == 0xcf);
  REQUIRE(cookies.previous_secret);
  CHECK((*cookies.previous_secret)[0] == 0x44);
  CHECK((*cookies.previous_secret)[15] == 0x62);
  CHECK_FALSE(load(with_cookies("enabled = false\n")).config->server.cookies.enabled);
}

TEST_CASE("cookies errors: a secret file that is not 32 hex digits, without quoting it") {
  const auto toml = with_cookies("secret_file = \"cookies/bad.key\"\n");
  const auto result = load(toml);
  check_error(result, inline_path, line_containing(toml, "bad.key"), "cookies.secret_file",
              "must hold a 16-byte secret as 32 hex digits");
  CHECK(conf_test::all_errors(result).find("not-hex") == std::string::npos);
}

TEST_CASE("cookies errors: a secret file that cannot be read") {
  const auto toml = with_cookies("secret_file = \"cookies/missing.key\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "missing.key"), "cookies.secret_file",
              "cannot read");
}

TEST_CASE("cookies errors: a previous secret without a current one") {
  const auto toml = with_cookies("previous_secret_file = \"cookies/previous.key\"\n");
  check_error(load(toml), inline_path, line_containing(toml, "previous.key"),
              "cookies.previous_secret_file", "needs secret_file");
}

TEST_CASE("cookies errors: an unknown key") {
  const auto toml = with_cookies("secret = \"e5e973e5a6b2a43f48e7dc849e37bfcf\"\n");
  CHECK_FALSE(load(toml).config);
}
