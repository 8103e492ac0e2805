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

// At most this many errors are kept per load; the rest are counted ("and 1234 more errors"), so
// a garbage file gives a short report, not a million lines.
inline constexpr std::size_t k_max_errors = 50;
// An error message is cut to this many bytes (with non-printable bytes escaped) when kept.
inline constexpr std::size_t k_max_message = 400;

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  // The TOML file, as errors name it.
  const std::string& file() const noexcept { return file_; }
  void add(std::size_t line, std::string key, std::string message) {
    add_in(file_, line, std::move(key), std::move(message));
  }
  // An error in another file (a master file, a $INCLUDE), still tied to the TOML key behind it.
  void add_in(std::string file, std::size_t line, std::string key, std::string message);
  // Every error found, kept or not.
  std::size_t count() const noexcept { return errors_.size() + dropped_; }
  // The kept errors, then one "... and N more errors" entry when some were dropped.
  std::vector<Error> take();

  // Something the operator should fix that does not stop the load (a secret file others may
  // read); each distinct message once.
  void warn(std::string message);
  // The same for something at one place of the TOML file: "FILE:LINE: KEY: message".
  void warn_at(std::size_t line, std::string key, std::string message) {
    warn(Error{file_, line, std::move(key), std::move(message)}.to_string());
  }
  std::vector<std::string> take_warnings() { return std::move(warnings_); }

 private:
  std::string file_;
  std::vector<Error> errors_;
  std::size_t dropped_ = 0;
  std::vector<std::string> warnings_;
};

// toml++'s parse error description and column as one line of our own wording: "syntax error
// in a table header (column 8): expected ']', saw end of line". toml++ writes "Error while
// parsing X: ..." and quotes a line break as '\n'; nothing of it may span lines.
std::string syntax_error_message(std::string_view description, std::size_t column);

// `text` in double quotes, with control characters escaped, for messages.
std::string in_quotes(std::string_view text);
// At most 80 bytes of `text`, in double quotes, printable ASCII only (other bytes as \xNN), with
// "..." and the full length when cut: how an error quotes what it found in a file.
std::string excerpt(std::string_view text);
// The same without the quotes, for a word a message shows bare ("class CH is not supported").
std::string bare_excerpt(std::string_view text);
// "a, b, c": the list of what was expected, for messages.
std::string join(const std::vector<std::string_view>& items, std::string_view separator = ", ");

}  // namespace conf
