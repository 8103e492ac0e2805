// conf/key_tables: the key tables the readers check against and the reference prints.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "conf/load.hh"
#include "conf/reference.hh"

TEST_CASE("key tables: names are unique per table, bounds are ordered, every key says what it is") {
  const auto tables = conf::key_tables();
  REQUIRE(tables.size() == 22);
  std::set<std::string_view> headers;
  for (const auto* table : tables) {
    INFO(table->header);
    CHECK(headers.insert(table->header).second);
    CHECK(!table->about.empty());
    std::set<std::string_view> names;
    for (const auto& key : table->keys) {
      INFO(key.name);
      CHECK(names.insert(key.name).second);
      CHECK(!key.type.empty());
      CHECK(!key.about.empty());
      if (key.bounds != conf::Key::Bounds::none) CHECK(key.min <= key.max);
    }
  }
}

TEST_CASE("key tables: a reader refuses a value outside its table's range, naming the range") {
  const auto result = conf::load_string(R"(
[server]
workers = 65
[rrl]
window = "2h"
)",
                                        "bounds.toml");
  REQUIRE(result.errors.size() >= 2);
  std::string text;
  for (const auto& error : result.errors) text += error.to_string() + "\n";
  CHECK(text.find("server.workers: must be between 1 and 64, got 65") != std::string::npos);
  CHECK(text.find("rrl.window: must be between 1s and 1h, got 2h") != std::string::npos);
}

TEST_CASE("config reference: one section per table and one row per key, in table order") {
  const auto text = conf::config_reference();
  std::size_t rows = 0, keys = 0;
  for (const auto* table : conf::key_tables()) keys += table->keys.size();
  for (std::size_t at = text.find("\n| `"); at != std::string::npos;
       at = text.find("\n| `", at + 1))
    ++rows;
  CHECK(rows == keys);
  CHECK(text.find("## [server]") < text.find("## [[profile]]"));
  CHECK(text.find("| `workers` | integer | `1` | 1..64 |") != std::string::npos);
  CHECK(text.find("| `interval` | duration | `30s` | 100ms..1h |") != std::string::npos);
}
