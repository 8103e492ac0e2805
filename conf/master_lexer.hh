// Splits an RFC 1035 §5.1 master file into entries: one line, or several joined by "(" ")",
// without comments. Knows nothing about records; master_file.cc gives the tokens meaning.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace conf {

struct MasterToken {
  std::string text;  // as written: quoted strings keep their quotes, escapes are left in place
  std::size_t line = 0;
  bool quoted = false;
};

struct MasterEntry {
  std::vector<MasterToken> tokens;
  std::size_t line = 0;        // where the entry starts
  bool blank_owner = false;    // starts with a blank: the previous owner again (RFC 1035 §5.1)
  std::size_t error_line = 0;  // where the syntax error is, when next() reports one
  bool unterminated = false;   // the text ends inside it, with no final newline: maybe cut short
};

class MasterLexer {
 public:
  // Lines longer than `max_line_length` bytes are reported and skipped unread.
  MasterLexer(std::string_view text, std::size_t max_line_length)
      : text_(text), max_line_length_(max_line_length) {}
  // The next non-empty entry; false at the end of the text. A syntax error (unterminated quote,
  // stray ")", a line over the limit) fills *error, and the entry is to be skipped.
  bool next(MasterEntry& entry, std::string& error);

 private:
  void quoted_token(MasterEntry& entry, std::string& error);
  void word_token(MasterEntry& entry);
  bool skip_long_line(MasterEntry& entry, std::string& error);

  std::string_view text_;
  std::size_t max_line_length_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace conf
