// Helpers for the conf/ tests: data paths, loading inline TOML, and finding one error by key.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "conf/load.hh"

namespace conf_test {

inline std::string data_path(std::string_view name) {
  return std::string(DNSD_CONF_TEST_DATA) + "/" + std::string(name);
}

// Inline configs are named as if they sat in data/, so relative file names resolve there.
inline const std::string inline_path = data_path("inline.toml");

inline conf::LoadResult load(std::string_view toml) { return conf::load_string(toml, inline_path); }

// 1-based number of the first line of `text` that contains `needle` (0 when none does).
inline std::size_t line_containing(std::string_view text, std::string_view needle) {
  const auto at = text.find(needle);
  if (at == std::string_view::npos) return 0;
  std::size_t line = 1;
  for (std::size_t i = 0; i < at; ++i) line += text[i] == '\n';
  return line;
}

inline std::string all_errors(const conf::LoadResult& result) {
  std::string out;
  for (const auto& error : result.errors) out += error.to_string() + "\n";
  return out;
}

// The one error reported for `key`; fails the test when there is none or several.
inline conf::Error error_for(const conf::LoadResult& result, std::string_view key) {
  INFO("errors:\n" << all_errors(result));
  CHECK(result.config == nullptr);
  const conf::Error* found = nullptr;
  int count = 0;
  for (const auto& error : result.errors)
    if (error.key == key) found = &error, ++count;
  REQUIRE_MESSAGE(count == 1, "expected exactly one error for key " << key);
  return *found;
}

// Asserts file, line, key and a fragment of the message of the error reported for `key`.
inline void check_error(const conf::LoadResult& result, std::string_view file, std::size_t line,
                        std::string_view key, std::string_view fragment) {
  const auto error = error_for(result, key);
  INFO("error: " << error.to_string());
  CHECK(error.file == file);
  CHECK(error.line == line);
  CHECK(error.message.find(fragment) != std::string::npos);
}

// A zone that loads: tests append what they are about to break.
inline constexpr std::string_view zone_toml = R"([[zone]]
name = "tm.example.com."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
)";

}  // namespace conf_test
