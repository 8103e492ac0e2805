// Typed, error-collecting access to one TOML table.
#include "conf/toml_section.hh"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "conf/duration.hh"

namespace conf {

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

Section::Section(Diagnostics& diag, const toml::table& table, std::string path,
                 const KeyTable& keys)
    : diag_(diag),
      table_(table),
      path_(std::move(path)),
      table_keys_(keys.keys),
      // The root table stands for the file as a whole: line 0, not the line of its first key.
      line_(path_.empty() ? 0 : line_of(table)) {
  for (const auto& key : table_keys_) keys_.push_back(key.name);
}

const Key& Section::entry(std::string_view name, Key::Bounds bounds) const {
  // Bounds 1..0: every value is refused rather than let through unchecked.
  static constexpr Key missing{"", "", "", "", "", Key::Bounds::none, 1, 0};
  const auto found = std::find_if(table_keys_.begin(), table_keys_.end(),
                                  [&](const Key& key) { return key.name == name; });
  assert(found != table_keys_.end() && found->bounds == bounds);
  return found != table_keys_.end() && found->bounds == bounds ? *found : missing;
}

std::optional<std::int64_t> Section::integer(std::string_view name, Need need) {
  const auto& key = entry(name, Key::Bounds::integer);
  return integer(name, key.min, key.max, need);
}

std::optional<std::chrono::milliseconds> Section::duration(std::string_view name) {
  const auto& key = entry(name, Key::Bounds::duration);
  return duration(name, std::chrono::milliseconds(key.min), std::chrono::milliseconds(key.max));
}

std::string Section::key(std::string_view name) const {
  return path_.empty() ? std::string(name) : fmt::format("{}.{}", path_, name);
}

std::size_t Section::line(std::string_view name) const {
  const auto* value = table_.get(name);
  return value ? line_of(*value) : line_;
}

void Section::error_at(std::size_t line, std::string key, std::string message) {
  ++errors_;
  diag_.add(line, std::move(key), std::move(message));
}

void Section::error(std::string_view name, std::string message) {
  ++errors_;
  diag_.add(line(name), key(name), std::move(message));
}

bool Section::wrong_type(std::string_view name, const toml::node& node, std::string_view expected) {
  error(name, fmt::format("must be {}, got {}", expected, type_name(node)));
  return false;
}

std::optional<std::string> Section::string(std::string_view name, Need need) {
  const auto* value = table_.get(name);
  if (!value) {
    if (need == Need::required) error(name, "is required (a string)");
    return std::nullopt;
  }
  if (const auto* text = value->as_string()) return text->get();
  wrong_type(name, *value, "a string");
  return std::nullopt;
}

std::optional<std::int64_t> Section::integer(std::string_view name, std::int64_t min,
                                             std::int64_t max, Need need) {
  const auto* value = table_.get(name);
  if (!value) {
    if (need == Need::required)
      error(name, fmt::format("is required (an integer from {} to {})", min, max));
    return std::nullopt;
  }
  const auto* number = value->as_integer();
  if (!number) {
    wrong_type(name, *value, fmt::format("an integer from {} to {}", min, max));
    return std::nullopt;
  }
  if (number->get() < min || number->get() > max) {
    error(name, fmt::format("must be between {} and {}, got {}", min, max, number->get()));
    return std::nullopt;
  }
  return number->get();
}

std::optional<bool> Section::boolean(std::string_view name) {
  const auto* value = table_.get(name);
  if (!value) return std::nullopt;
  if (const auto* flag = value->as_boolean()) return flag->get();
  wrong_type(name, *value, "true or false");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> Section::duration(std::string_view name,
                                                           std::chrono::milliseconds min,
                                                           std::chrono::milliseconds max) {
  const auto* value = table_.get(name);
  if (!value) return std::nullopt;
  std::optional<std::chrono::milliseconds> parsed;
  if (const auto* seconds = value->as_integer()) {
    if (seconds->get() >= 0 && seconds->get() <= max.count() / 1000 + 1)
      parsed = std::chrono::seconds(seconds->get());
    else if (seconds->get() > 0)
      parsed = max + std::chrono::milliseconds(1);  // far too large: reported as out of range below
  } else if (const auto* text = value->as_string()) {
    parsed = parse_duration(text->get());
  } else {
    wrong_type(name, *value, "a duration");
    return std::nullopt;
  }
  if (!parsed) {
    error(name, fmt::format("invalid duration {} (expected {})",
                            value->is_string() ? in_quotes(*value->value<std::string>())
                                               : std::to_string(*value->value<std::int64_t>()),
                            duration_forms));
    return std::nullopt;
  }
  if (*parsed < min || *parsed > max) {
    error(name, fmt::format("must be between {} and {}, got {}", format_duration(min),
                            format_duration(max), format_duration(*parsed)));
    return std::nullopt;
  }
  return parsed;
}

std::optional<std::vector<Section::Item>> Section::strings(std::string_view name, bool allow_single,
                                                           Need need) {
  const auto* value = table_.get(name);
  const auto expected = allow_single ? "a string or an array of strings" : "an array of strings";
  if (!value) {
    if (need == Need::required) error(name, fmt::format("is required ({})", expected));
    return std::nullopt;
  }
  std::vector<Item> items;
  if (const auto* text = value->as_string()) {
    if (!allow_single) {
      wrong_type(name, *value, expected);
      return std::nullopt;
    }
    items.push_back({text->get(), key(name), line_of(*value)});
    return items;
  }
  const auto* array = value->as_array();
  if (!array) {
    wrong_type(name, *value, expected);
    return std::nullopt;
  }
  bool ok = true;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& element = *array->get(i);
    const auto element_key = fmt::format("{}[{}]", key(name), i);
    if (const auto* text = element.as_string()) {
      items.push_back({text->get(), element_key, line_of(element)});
    } else {
      ++errors_;
      diag_.add(line_of(element), element_key,
                fmt::format("must be a string, got {}", type_name(element)));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return items;
}

const toml::table* Section::table(std::string_view name, Need need) {
  const auto* value = table_.get(name);
  if (!value) {
    if (need == Need::required) error(name, fmt::format("is required (a [{}] table)", key(name)));
    return nullptr;
  }
  if (const auto* inner = value->as_table()) return inner;
  wrong_type(name, *value, "a table");
  return nullptr;
}

const toml::array* Section::tables(std::string_view name) {
  const auto* value = table_.get(name);
  if (!value) return nullptr;
  if (value->is_array_of_tables()) return value->as_array();
  // An empty array is an empty list of tables.
  if (value->is_array() && value->as_array()->empty()) return value->as_array();
  wrong_type(name, *value, fmt::format("an array of tables ([[{}]])", key(name)));
  return nullptr;
}

void Section::finish() {
  for (const auto& [name, value] : table_) {
    const auto text = name.str();
    if (std::find(keys_.begin(), keys_.end(), text) != keys_.end()) continue;
    if (std::find(extra_.begin(), extra_.end(), text) != extra_.end()) continue;
    ++errors_;
    diag_.add(name.source().begin.line ? name.source().begin.line : line_of(value), key(text),
              fmt::format("unknown key {} (expected one of {})", in_quotes(text), join(keys_)));
  }
}

}  // namespace conf
