// Reads one TOML table against the table of keys it may hold (key_table.hh). Typed getters
// record an error (with line and dotted key) and return nullopt on a bad value; finish() reports
// every key that is not in the table. Absent optional keys return nullopt without an error.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/errors.hh"
#include "conf/key_table.hh"

namespace conf {

enum class Need { optional, required };

class Section {
 public:
  Section(Diagnostics& diag, const toml::table& table, std::string path, const KeyTable& keys);

  Diagnostics& diag() noexcept { return diag_; }
  const std::string& path() const noexcept { return path_; }
  // "zone[0].record[3]" + "type" -> "zone[0].record[3].type".
  std::string key(std::string_view name) const;
  // Line of the table itself ([[zone]] header), or of one key's value when present.
  std::size_t line() const noexcept { return line_; }
  std::size_t line(std::string_view name) const;
  bool has(std::string_view name) const { return table_.contains(name); }
  const toml::node* node(std::string_view name) const { return table_.get(name); }
  // False once this section has recorded an error; cross-field checks are skipped then, so one
  // mistake does not produce a second, confusing message.
  bool clean() const noexcept { return errors_ == 0; }

  std::optional<std::string> string(std::string_view name, Need need = Need::optional);
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max,
                                      Need need = Need::optional);
  // With the bounds of the key's entry in the table (Key::integer).
  std::optional<std::int64_t> integer(std::string_view name, Need need = Need::optional);
  std::optional<bool> boolean(std::string_view name);
  std::optional<std::chrono::milliseconds> duration(std::string_view name,
                                                    std::chrono::milliseconds min,
                                                    std::chrono::milliseconds max);
  // With the bounds of the key's entry in the table (Key::duration).
  std::optional<std::chrono::milliseconds> duration(std::string_view name);
  // A string or an array of strings; each element comes with its key and line.
  struct Item {
    std::string value;
    std::string key;
    std::size_t line;
  };
  std::optional<std::vector<Item>> strings(std::string_view name, bool allow_single,
                                           Need need = Need::optional);
  const toml::table* table(std::string_view name, Need need = Need::optional);
  // An array of tables ([[zone]]); null when absent or of another type.
  const toml::array* tables(std::string_view name);

  void error(std::string_view name, std::string message);
  // An error at an element of a list key (an Item's key and line), counted for clean().
  void error_at(std::size_t line, std::string key, std::string message);
  // Marks a key as handled outside the list (e.g. a forbidden key reported specially).
  void consume(std::string_view name) { extra_.push_back(std::string(name)); }
  void finish();

 private:
  bool wrong_type(std::string_view name, const toml::node& node, std::string_view expected);
  // The table's entry for `name`; a reader asking for bounds the table lacks is our bug.
  const Key& entry(std::string_view name, Key::Bounds bounds) const;

  Diagnostics& diag_;
  const toml::table& table_;
  std::string path_;
  std::span<const Key> table_keys_;
  std::vector<std::string_view> keys_;
  std::vector<std::string> extra_;
  std::size_t line_;
  std::size_t errors_ = 0;
};

// "string", "integer", ... for "must be an integer, got string".
std::string_view type_name(const toml::node& node);
inline std::size_t line_of(const toml::node& node) { return node.source().begin.line; }

}  // namespace conf
