// The keys of one config table as data: each section reader checks names and numeric ranges
// against its table, and `dnsd --config-reference` prints every table (doc/config-reference.md),
// so the reference cannot drift from what the parser accepts.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

namespace conf {

struct Key {
  enum class Bounds { none, integer, duration };
  std::string_view name;
  std::string_view type;          // as the reference writes it: "integer", "list of strings"
  std::string_view default_text;  // "" when there is none (required, or absent means off)
  std::string_view values;        // allowed values, when not a numeric range ("" for any)
  std::string_view about;         // one line
  Bounds bounds = Bounds::none;
  std::int64_t min = 0;  // integer, or milliseconds for a duration
  std::int64_t max = 0;

  // A range-checked integer: Section::integer(name) reads these bounds.
  static constexpr Key integer(std::string_view name, std::int64_t min, std::int64_t max,
                               std::string_view default_text, std::string_view about) {
    return {name, "integer", default_text, "", about, Bounds::integer, min, max};
  }
  // A range-checked duration: Section::duration(name) reads these bounds.
  static constexpr Key duration(std::string_view name, std::chrono::milliseconds min,
                                std::chrono::milliseconds max, std::string_view default_text,
                                std::string_view about) {
    return {name, "duration", default_text, "", about, Bounds::duration, min.count(), max.count()};
  }
  // Any other key: its checks stay in the reader, `values` says what they accept.
  static constexpr Key other(std::string_view name, std::string_view type,
                             std::string_view default_text, std::string_view values,
                             std::string_view about) {
    return {name, type, default_text, values, about};
  }
};

struct KeyTable {
  std::string_view header;  // "[server]", "[[profile.endpoint]]"; "" for the top level
  std::string_view about;
  std::span<const Key> keys;
};

}  // namespace conf
