// conf/fleet_rule: the three forms of the fleet's voting rule, and errors naming file, line, key.
#include <doctest/doctest.h>

#include <string_view>

#include "conf/fleet_rule.hh"

namespace {

struct Read {
  std::optional<fleet::Rule> rule;
  std::vector<conf::Error> errors;
};

// Reads `key` of the [fleet] table in `toml`, as the [fleet] section reader will.
Read read(std::string_view toml, std::string_view key = "rule") {
  const auto root = toml::parse(toml, std::string_view{"fleet.toml"});
  conf::Diagnostics diag("fleet.toml");
  const conf::Key keys[] = {conf::Key::other(key, "string", "", "", "")};
  conf::Section section(diag, *root["fleet"].as_table(), "fleet", conf::KeyTable{"", "", keys});
  Read out;
  out.rule = conf::read_fleet_rule(section, key);
  section.finish();
  out.errors = diag.take();
  return out;
}

}  // namespace

TEST_CASE("fleet rule: the three forms parse, and each prints back as written") {
  using Kind = fleet::Rule::Kind;
  for (std::string_view text : {"majority", "at_least:1", "at_least:2", "at_least:1000",
                                "fraction:0.18", "fraction:0", "fraction:0.5"}) {
    INFO(text);
    const auto rule = conf::parse_fleet_rule(text);
    REQUIRE(rule);
    CHECK(fleet::to_string(*rule) == text);
  }
  CHECK(conf::parse_fleet_rule("at_least:2")->kind == Kind::at_least);
  CHECK(conf::parse_fleet_rule("at_least:2")->at_least == 2);
  CHECK(conf::parse_fleet_rule("fraction:0.18")->kind == Kind::fraction);
  CHECK(conf::parse_fleet_rule("fraction:0.18")->fraction == doctest::Approx(0.18));
}

TEST_CASE("fleet rule: anything else is rejected") {
  for (std::string_view text : {"",
                                "Majority",
                                "majority ",
                                "quorum",
                                "at_least",
                                "at_least:",
                                "at_least:0",
                                "at_least:-1",
                                "at_least:+2",
                                "at_least:2.5",
                                "at_least:1001",
                                "at_least: 2",
                                "at_least:99999999999",
                                "fraction:",
                                "fraction:1",
                                "fraction:1.5",
                                "fraction:-0.1",
                                "fraction:nan",
                                "fraction:inf",
                                "fraction:0.18x",
                                "fraction:18%"}) {
    INFO(text);
    CHECK_FALSE(conf::parse_fleet_rule(text));
  }
}

TEST_CASE("fleet rule: an absent key means majority") {
  const auto result = read("[fleet]\n");
  REQUIRE(result.rule);
  CHECK(*result.rule == fleet::Rule{});
  CHECK(result.errors.empty());
}

TEST_CASE("fleet rule: a bad rule is an error naming file, line and key") {
  const auto result = read("[fleet]\n\nrule = \"quorum:2\"\n");
  CHECK_FALSE(result.rule);
  REQUIRE(result.errors.size() == 1);
  const auto& error = result.errors[0];
  INFO(error.to_string());
  CHECK(error.file == "fleet.toml");
  CHECK(error.line == 3);
  CHECK(error.key == "fleet.rule");
  CHECK(error.message.find("\"quorum:2\"") != std::string::npos);
  CHECK(error.message.find("at_least:N") != std::string::npos);
}

TEST_CASE("fleet rule: a rule that is not a string is an error naming its type") {
  const auto result = read("[fleet]\nrule = 2\n");
  CHECK_FALSE(result.rule);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].line == 2);
  CHECK(result.errors[0].key == "fleet.rule");
  CHECK(result.errors[0].message.find("an integer") != std::string::npos);
}
