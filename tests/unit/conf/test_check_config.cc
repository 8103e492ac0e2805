// What `dnsd --check-config` reports beyond errors (issue 15): the TOML trap warnings, the
// endpoint target rule, a record's zone key, syntax errors on one line, [server] log_format.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>

#include "conf/zone_text.hh"
#include "conf_test_support.hh"

using conf_test::check_error;
using conf_test::inline_path;
using conf_test::line_containing;
using conf_test::load;

namespace {

// Two zones and a profile in the first; tests append records, which TOML puts in the second.
constexpr std::string_view two_zones = R"([[zone]]
name = "tm.example.com."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1

[[zone]]
name = "tenants.demo."
ns = ["ns1.tm.example.com."]
[zone.soa]
mname = "ns1.tm.example.com."
rname = "hostmaster.tm.example.com."
serial = 1

[[zone.record]]
name = "eu"
type = "A"
data = "127.0.0.2"

[[profile]]
name = "ci.tm.example.com."
[profile.monitor]
protocol = "tcp"
port = 443
[[profile.endpoint]]
name = "eu"
target = "eu.tenants.demo."
)";

std::string all_warnings(const conf::LoadResult& result) {
  std::string out;
  for (const auto& warning : result.warnings) out += warning + "\n";
  return out;
}

// The one warning that mentions `fragment`; fails when none or several do.
std::string warning_with(const conf::LoadResult& result, std::string_view fragment) {
  INFO("warnings:\n" << all_warnings(result));
  std::string found;
  int count = 0;
  for (const auto& warning : result.warnings)
    if (warning.find(fragment) != std::string::npos) found = warning, ++count;
  REQUIRE(count == 1);
  return found;
}

}  // namespace

TEST_CASE("the shipped two-zone layout loads without warnings") {
  const auto result = load(two_zones);
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  CHECK(all_warnings(result) == "");
}

TEST_CASE("trap: a name server record written after the last zone is a warning naming its line") {
  const std::string toml = std::string(two_zones) + R"(
[[zone.record]]
name = "ns1"
type = "A"
data = "127.0.0.1"
)";
  const auto result = load(toml);
  REQUIRE(result.config);  // valid TOML and a valid zone: a warning, not an error
  // After the base's lines: a blank line, the table header, then the name.
  const auto line =
      static_cast<std::size_t>(std::count(two_zones.begin(), two_zones.end(), '\n')) + 3;
  const auto warning = warning_with(result, "ns1.tm.example.com.");
  CHECK(warning.starts_with(fmt::format("{}:{}: zone[1].record[1].name: ", inline_path, line)));
  CHECK(warning.find("was it meant for zone tm.example.com.?") != std::string::npos);
  CHECK(warning.find("a name server of zone tm.example.com. that has no record there") !=
        std::string::npos);
}

TEST_CASE("trap: a relative name that is a profile in another zone is a warning") {
  const auto result = load(std::string(two_zones) + R"(
[[zone.record]]
name = "ci"
type = "TXT"
data = "\"note\""
)");
  REQUIRE(result.config);
  CHECK(
      warning_with(result, "ci.tm.example.com. is a [[profile]]").find("zone[1].record[1].name") !=
      std::string::npos);
}

TEST_CASE("trap: an absolute-looking name without its trailing dot is a warning") {
  const auto result = load(std::string(two_zones) + R"(
[[zone.record]]
name = "ci.tm.example.com"
type = "TXT"
data = "\"note\""
)");
  REQUIRE(result.config);
  const auto warning = warning_with(result, "has no trailing dot");
  CHECK(warning.find("ci.tm.example.com.tenants.demo.") != std::string::npos);
  CHECK(warning.find("ci.tm.example.com. is a [[profile]]") != std::string::npos);
}

TEST_CASE("trap: a record under a zone that a more specific zone answers for is a warning") {
  const std::string toml = R"([[zone]]
name = "example.com."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
[[zone.record]]
name = "www.sub.example.com."
type = "A"
data = "192.0.2.1"

[[zone]]
name = "sub.example.com."
ns = ["ns1.example.com."]
[zone.soa]
mname = "ns1.example.com."
rname = "hostmaster.example.com."
serial = 1
)";
  const auto result = load(toml);
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  CHECK(warning_with(result, "lies in zone sub.example.com.").find("never served") !=
        std::string::npos);
}

TEST_CASE("trap: a record whose zone key names another zone is an error") {
  const std::string toml = std::string(two_zones) + R"(
[[zone.record]]
zone = "tm.example.com."
name = "ns1"
type = "A"
data = "127.0.0.1"
)";
  const auto result = load(toml);
  check_error(result, inline_path, line_containing(toml, "zone = \"tm.example.com.\""),
              "zone[1].record[1].zone",
              "meant for zone tm.example.com. but sits under the [[zone]] tenants.demo.");
}

TEST_CASE("trap: a record whose zone key names its own zone loads, in any case") {
  const auto result = load(std::string(two_zones) + R"(
[[zone.record]]
zone = "TENANTS.demo."
name = "us"
type = "A"
data = "127.0.0.3"
)");
  INFO(conf_test::all_errors(result));
  CHECK(result.config);
}

TEST_CASE("target rule: a name without a trailing dot is absolute, with a warning at its line") {
  std::string toml(two_zones);
  toml.replace(toml.find("target = \"eu.tenants.demo.\""), 27, "target = \"eu.tenants.demo\"");
  const auto result = load(toml);
  REQUIRE(result.config);
  REQUIRE(result.config->model.profiles.size() == 1);
  CHECK(result.config->model.profiles[0].endpoints[0].target == "eu.tenants.demo.");
  const auto warning = warning_with(result, "has no trailing dot: endpoint targets are always");
  CHECK(warning.starts_with(fmt::format("{}:{}: profile[0].endpoint[0].target: ", inline_path,
                                        line_containing(toml, "target ="))));
  // With the dot, or an address, nothing to say.
  CHECK(all_warnings(load(two_zones)) == "");
}

TEST_CASE("syntax errors are one line each: FILE:LINE: syntax error in ... (column N): ...") {
  const std::string_view broken[] = {
      "[server\nworkers = 1\n",  // toml++: "expected ']', saw '\n'"
      "a = \"open\nb = 1\n",     // a raw line break inside a string
      "a = {b = 1\n}\n",         // an inline table across lines
      "a = 1\na = 2\n",          // a key given twice
      "x = [1, 2",               // the end of the file inside an array
  };
  for (const auto text : broken) {
    const auto result = load(text);
    REQUIRE(result.errors.size() == 1);
    const auto line = result.errors[0].to_string();
    INFO(line);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find("\\x0a") == std::string::npos);
    CHECK(line.starts_with(inline_path + ":"));
    CHECK(line.find(": syntax error") != std::string::npos);
    CHECK(line.find("(column ") != std::string::npos);
  }
  const auto header = load(broken[0]);
  CHECK(header.errors[0].line == 1);
  CHECK(header.errors[0].message ==
        "syntax error in table header (column 8): expected ']', saw end of line");
}

TEST_CASE("log_format is text by default, json on request, anything else an error") {
  const std::string zone(conf_test::zone_toml);
  const auto plain = load(zone);
  REQUIRE(plain.config);
  CHECK(plain.config->server.log_format == conf::LogFormat::text);
  const auto json = load("[server]\nlog_format = \"json\"\n" + zone);
  REQUIRE(json.config);
  CHECK(json.config->server.log_format == conf::LogFormat::json);
  check_error(load("[server]\nlog_format = \"xml\"\n" + zone), inline_path, 2, "server.log_format",
              "unknown log format \"xml\" (expected \"text\" or \"json\")");
}

TEST_CASE("print: zones as master-file text, the SOA first, with each profile's start answer") {
  const auto result = load(two_zones);
  REQUIRE(result.config);
  const std::string text = conf::zones_as_master_text(*result.config);
  INFO(text);
  const auto tm = text.find("$ORIGIN tm.example.com.\ntm.example.com.\t3600\tIN\tSOA\t");
  const auto tenants = text.find("$ORIGIN tenants.demo.\ntenants.demo.\t3600\tIN\tSOA\t");
  CHECK(tm != std::string::npos);
  CHECK(tenants != std::string::npos);
  CHECK(text.find("eu.tenants.demo.\t3600\tIN\tA\t127.0.0.2\n") > tenants);
  CHECK(text.find("; profile ci.tm.example.com.: method priority, ttl 1, 1 endpoint\n") < tenants);
  CHECK(text.find("ci.tm.example.com.\t1\tIN\tCNAME\teu.tenants.demo.\n") < tenants);
}
