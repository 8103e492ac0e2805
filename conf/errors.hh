// Error, and the collection of them for one config load. Every reader records what is wrong and
// carries on, so `dnsd --check-config` can print every error at once; nothing here throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace conf {

struct Error {
  std::string file;
  std::size_t line = 0;  // 1-based; 0 when the error is about the file as a whole
  std::string key;       // dotted TOML path, e.g. "zone[0].record[3].type"; empty if none
  std::string message;   // what is wrong and what is expected
  // "dnsd.toml:12: zone[0].record[3].type: unknown record type "AAA" (expected A, AAAA, ...)"
  std::string to_string() const;
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // The TOML file, as errors name it.
  const std::string& file() const noexcept { return file_; }
  void add(std::size_t line, std::string key, std::string message) {
    errors_.push_back(Error{file_, line, std::move(key), std::move(message)});
  }
  // An error in another file (a master file, a $INCLUDE), still tied to the TOML key behind it.
  void add_in(std::string file, std::size_t line, std::string key, std::string message) {
    errors_.push_back(Error{std::move(file), line, std::move(key), std::move(message)});
  }
  std::size_t count() const noexcept { return errors_.size(); }
  std::vector<Error> take() { return std::move(errors_); }

 private:
  std::string file_;
  std::vector<Error> errors_;
};

// `text` in double quotes, with control characters escaped, for messages.
std::string in_quotes(std::string_view text);
// "a, b, c": the list of what was expected, for messages.
std::string join(const std::vector<std::string_view>& items, std::string_view separator = ", ");

}  // namespace conf
