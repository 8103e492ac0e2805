// Master files: errors name the master file and its line; $INCLUDE loops and depth are caught.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "conf_test_support.hh"

using conf_test::data_path;
using conf_test::inline_path;
using conf_test::load;

namespace {

std::string zone_with_file(std::string_view file) {
  return fmt::format("[[zone]]\nname = \"tm.example.com.\"\nfile = \"{}\"\n", file);
}

// The one error at file:line; fails the test when there is none or several.
conf::Error error_at(const conf::LoadResult& result, const std::string& file, std::size_t line) {
  INFO("errors:\n" << conf_test::all_errors(result));
  CHECK(result.config == nullptr);
  const conf::Error* found = nullptr;
  int count = 0;
  for (const auto& error : result.errors)
    if (error.file == file && error.line == line) found = &error, ++count;
  REQUIRE_MESSAGE(count == 1, "expected exactly one error at " << file << ":" << line);
  return *found;
}

void check_master_error(const conf::LoadResult& result, const std::string& file, std::size_t line,
                        std::string_view fragment) {
  const auto error = error_at(result, file, line);
  INFO("error: " << error.to_string());
  CHECK(error.key == "zone[0].file");
  CHECK(error.message.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("master file: each bad line is reported with the master file's name and line") {
  const auto result = load(zone_with_file("bad_syntax.zone"));
  const auto file = data_path("bad_syntax.zone");
  check_master_error(result, file, 3, "bad A data \"192.0.2.300\"");
  check_master_error(result, file, 4, "quoted string is not closed on the same line");
  check_master_error(result, file, 5, "bad MX data \"10\": expected 2 fields");
  check_master_error(result, file, 6, "class CH is not supported (expected IN)");
  check_master_error(result, file, 7, "unknown record type \"AAA\"");
  check_master_error(result, file, 8,
                     "unknown directive $GENERATE (expected $ORIGIN, $TTL or $INCLUDE)");
  check_master_error(result, file, 9,
                     "owner outside.example.net. is outside the zone tm.example.com.");
  check_master_error(result, file, 11, "\"(\" is never closed");
  CHECK(result.errors.size() == 8);
}

TEST_CASE("master file: a syntax error in an $INCLUDEd file names that file") {
  const auto dir = std::filesystem::temp_directory_path() / "dnsd_conf_include_error";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "top.zone")
      << "@ SOA ns1 hostmaster 1 1h 10m 1w 60\n  NS ns1\n$INCLUDE inner.zone\n";
  std::ofstream(dir / "inner.zone") << "; inner\nok A 192.0.2.1\nbad ) A 192.0.2.2\n";
  const auto toml_path = (dir / "dnsd.toml").string();
  const auto result = conf::load_string(zone_with_file("top.zone"), toml_path);
  check_master_error(result, (dir / "inner.zone").string(), 3, "\")\" without a matching \"(\"");
  CHECK(result.errors.size() == 1);
}

TEST_CASE("master file: an $INCLUDE loop is refused at the $INCLUDE that closes it") {
  const auto result = load(zone_with_file("loop_a.zone"));
  check_master_error(result, data_path("loop_b.zone"), 2,
                     "$INCLUDE loop: \"" + data_path("loop_a.zone") + "\" is already being read");
  CHECK(result.errors.size() == 1);
}

TEST_CASE("master file: $INCLUDE nests at most 8 deep") {
  const auto dir = std::filesystem::temp_directory_path() / "dnsd_conf_include_depth";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "d0.zone")
      << "@ SOA ns1 hostmaster 1 1h 10m 1w 60\n  NS ns1\n$INCLUDE d1.zone\n";
  for (int i = 1; i <= 9; ++i)
    std::ofstream(dir / fmt::format("d{}.zone", i))
        << fmt::format("$INCLUDE d{}.zone\nh{} A 192.0.2.{}\n", i + 1, i, i);
  std::ofstream(dir / "d10.zone") << "deepest A 192.0.2.10\n";
  const auto toml_path = (dir / "dnsd.toml").string();
  const auto result = conf::load_string(zone_with_file("d0.zone"), toml_path);
  // d0 is the zone's file; d1..d8 are 8 levels of $INCLUDE, the ninth is refused.
  check_master_error(result, (dir / "d8.zone").string(), 1, "$INCLUDE nested more than 8 deep");
  CHECK(result.errors.size() == 1);

  std::ofstream(dir / "d8.zone", std::ios::trunc) << "h8 A 192.0.2.8\n";
  const auto ok = conf::load_string(zone_with_file("d0.zone"), toml_path);
  INFO(conf_test::all_errors(ok));
  CHECK(ok.config != nullptr);
}

TEST_CASE("master file: a missing master file is reported at the TOML file key") {
  const std::string toml = zone_with_file("missing.zone");
  conf_test::check_error(
      load(toml), inline_path, 3, "zone[0].file",
      "cannot read the master file: cannot read \"" + data_path("missing.zone") + "\"");
}

TEST_CASE("master file: a first record without an owner is refused") {
  const auto dir = std::filesystem::temp_directory_path() / "dnsd_conf_blank_owner";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "z.zone")
      << "; comment first\n   A 192.0.2.1\n@ SOA ns1 hostmaster 1 1h 10m 1w 60\n  NS ns1\n";
  const auto result = conf::load_string(zone_with_file("z.zone"), (dir / "dnsd.toml").string());
  check_master_error(result, (dir / "z.zone").string(), 2, "no owner name");
}

TEST_CASE("master file: TTL and class come in either order, and $TTL starts from default_ttl") {
  const auto dir = std::filesystem::temp_directory_path() / "dnsd_conf_ttl_class";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "z.zone") << "@ SOA ns1 hostmaster 1 1h 10m 1w 60\n"
                                   "@ NS ns1\n"
                                   "a 60 IN A 192.0.2.1\n"
                                   "b IN 1m A 192.0.2.2\n"
                                   "c IN A 192.0.2.3\n"
                                   "d 1h1h A 192.0.2.4\n";
  const auto toml = zone_with_file("z.zone") + "default_ttl = 900\n";
  const auto result = conf::load_string(toml, (dir / "dnsd.toml").string());
  INFO(conf_test::all_errors(result));
  REQUIRE(result.config);
  const auto& zone = *result.config->zones.zones().at(0);
  const auto ttl = [&](std::string_view owner) {
    const auto* node = zone.find(dnsd::wire::Name::from_text(owner)->lowercased());
    REQUIRE(node);
    REQUIRE(node->find(1));
    return node->find(1)->ttl;
  };
  CHECK(ttl("a.tm.example.com.") == 60);
  CHECK(ttl("b.tm.example.com.") == 60);
  CHECK(ttl("c.tm.example.com.") == 900);
  CHECK(ttl("d.tm.example.com.") == 7200);
  CHECK(zone.apex().find(6)->ttl == 900);
}
