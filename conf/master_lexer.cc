// Master-file tokens (RFC 1035 §5.1): blanks separate, ";" starts a comment outside quotes,
// "(" ")" let an entry run over several lines, a backslash protects the next character.
#include "conf/master_lexer.hh"

#include <fmt/format.h>

#include <algorithm>

namespace conf {
namespace {
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool ends_word(char c) {
  return is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"';
}
}  // namespace

void MasterLexer::quoted_token(MasterEntry& entry, std::string& error) {
  const std::size_t start = pos_++;
  while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\n')
    pos_ += (text_[pos_] == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') ? 2 : 1;
  if (pos_ >= text_.size() || text_[pos_] != '"') {
    if (error.empty()) {
      error = "quoted string is not closed on the same line (expected a closing \")";
      entry.error_line = line_;
    }
    return;
  }
  ++pos_;
  entry.tokens.push_back({std::string(text_.substr(start, pos_ - start)), line_, true});
}

void MasterLexer::word_token(MasterEntry& entry) {
  const std::size_t start = pos_;
  while (pos_ < text_.size() && !ends_word(text_[pos_]))
    pos_ += (text_[pos_] == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') ? 2 : 1;
  entry.tokens.push_back({std::string(text_.substr(start, pos_ - start)), line_, false});
}

// At the start of a line: a line over the limit is not tokenised at all (a garbage file with
// one 100 MB line costs one scan, not a 100 MB token and a 100 MB message).
bool MasterLexer::skip_long_line(MasterEntry& entry, std::string& error) {
  const std::size_t end = std::min(text_.find('\n', pos_), text_.size());
  if (end - pos_ <= max_line_length_) return false;
  if (error.empty()) {
    error = fmt::format("line is {} bytes long, more than max_zone_line_length = {}", end - pos_,
                        max_line_length_);
    entry.error_line = line_;
  }
  pos_ = end;
  return true;
}

bool MasterLexer::next(MasterEntry& entry, std::string& error) {
  entry = MasterEntry{};
  error.clear();
  int depth = 0;
  std::size_t open_line = 0;
  bool line_start = true;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (line_start && depth == 0 && entry.tokens.empty()) {
      entry.line = line_;
      entry.blank_owner = is_blank(c);
    }
    if (line_start && skip_long_line(entry, error)) {
      line_start = false;
      continue;
    }
    line_start = false;
    if (c == '\n') {
      ++line_;
      ++pos_;
      line_start = true;
      if (depth == 0 && (!entry.tokens.empty() || !error.empty())) return true;
    } else if (is_blank(c)) {
      ++pos_;
    } else if (c == ';') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else if (c == '(') {
      if (depth++ == 0) open_line = line_;
      ++pos_;
    } else if (c == ')') {
      if (depth == 0 && error.empty()) {
        error = "\")\" without a matching \"(\"";
        entry.error_line = line_;
      }
      depth = depth > 0 ? depth - 1 : 0;
      ++pos_;
    } else if (c == '"') {
      quoted_token(entry, error);
    } else {
      word_token(entry);
    }
  }
  if (depth > 0 && error.empty()) {
    error = "\"(\" is never closed (expected \")\" before the end of the file)";
    entry.error_line = open_line;
  }
  // Here only when the text ended inside the entry: no newline (or no ")") closed it.
  entry.unterminated = !entry.tokens.empty() || !error.empty();
  return entry.unterminated;
}

}  // namespace conf
