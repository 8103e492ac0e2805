// BIND key-file reader: `key "name" { algorithm X; secret "B64"; };` statements (the format
// tsig-keygen writes). Only the `key` statement is understood; errors never quote a token.
#include <fmt/format.h>

#include "dnsd/tsig/key.hh"

namespace dnsd::tsig {
namespace {

struct Token {
  enum Kind { end, word, quoted, open, close, semicolon, bad } kind = end;
  std::string_view text;
  int line = 1;
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next() {
    skip_space_and_comments();
    Token token;
    token.line = line_;
    if (pos_ >= text_.size()) return token;
    const char c = text_[pos_];
    if (c == '{' || c == '}' || c == ';') {
      ++pos_;
      token.kind = c == '{' ? Token::open : c == '}' ? Token::close : Token::semicolon;
      return token;
    }
    if (c == '"') {
      const std::size_t close = text_.find('"', pos_ + 1);
      if (close == std::string_view::npos) return token.kind = Token::bad, token;
      token.kind = Token::quoted;
      token.text = text_.substr(pos_ + 1, close - pos_ - 1);
      for (const char inner : token.text) line_ += inner == '\n';
      pos_ = close + 1;
      return token;
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size() && !is_delimiter(text_[pos_])) ++pos_;
    token.kind = Token::word;
    token.text = text_.substr(start, pos_ - start);
    return token;
  }

 private:
  static bool is_delimiter(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '}' || c == ';' ||
           c == '"' || c == '#';
  }

  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r')
        ++pos_;
      else if (c == '#' || text_.substr(pos_, 2) == "//")
        skip_to_line_end();
      else if (text_.substr(pos_, 2) == "/*")
        skip_block_comment();
      else
        return;
    }
  }
  void skip_to_line_end() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }
  void skip_block_comment() {
    const std::size_t close = text_.find("*/", pos_ + 2);
    const std::size_t stop = close == std::string_view::npos ? text_.size() : close + 2;
    for (std::size_t i = pos_; i < stop; ++i) line_ += text_[i] == '\n';
    pos_ = stop;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

class KeyFileParser {
 public:
  KeyFileParser(std::string_view text, std::string_view origin) : lexer_(text), origin_(origin) {}

  std::optional<std::vector<Key>> parse(std::string* error) {
    std::vector<Key> keys;
    for (Token token = lexer_.next(); token.kind != Token::end; token = lexer_.next()) {
      if (token.kind != Token::word || token.text != "key")
        return failed(error, token, "expected a key statement");
      auto key = parse_key(error);
      if (!key) return std::nullopt;
      keys.push_back(std::move(*key));
    }
    if (keys.empty()) return failed(error, Token{}, "no key statement");
    return keys;
  }

 private:
  std::optional<Key> parse_key(std::string* error) {
    const Token name = lexer_.next();
    if (name.kind != Token::word && name.kind != Token::quoted)
      return failed(error, name, "expected a key name");
    if (lexer_.next().kind != Token::open)
      return failed(error, name, "expected '{' after the key name");
    std::string_view algorithm, secret;
    int secret_line = name.line;
    for (Token token = lexer_.next(); token.kind != Token::close; token = lexer_.next()) {
      if (token.kind != Token::word || (token.text != "algorithm" && token.text != "secret"))
        return failed(error, token,
                      fmt::format("key \"{}\": expected algorithm or secret", name.text));
      const Token value = lexer_.next();
      if (value.kind != Token::word && value.kind != Token::quoted)
        return failed(error, value,
                      fmt::format("key \"{}\": {} has no value", name.text, token.text));
      (token.text == "algorithm" ? algorithm : secret) = value.text;
      if (token.text == "secret") secret_line = value.line;
      if (lexer_.next().kind != Token::semicolon)
        return failed(error, value,
                      fmt::format("key \"{}\": expected ';' after {}", name.text, token.text));
    }
    if (lexer_.next().kind != Token::semicolon)
      return failed(error, name, fmt::format("key \"{}\": expected ';' after '}}'", name.text));
    if (algorithm.empty())
      return failed(error, name, fmt::format("key \"{}\": no algorithm", name.text));
    if (secret.empty()) return failed(error, name, fmt::format("key \"{}\": no secret", name.text));
    std::string why;
    auto key = make_key(name.text, algorithm, secret, &why);
    if (!key) return failed(error, Token{Token::word, {}, secret_line}, why);
    return key;
  }

  std::nullopt_t failed(std::string* error, const Token& at, std::string_view why) {
    if (error) *error = fmt::format("{}:{}: {}", origin_, at.line, why);
    return std::nullopt;
  }

  Lexer lexer_;
  std::string_view origin_;
};

}  // namespace

std::optional<std::vector<Key>> parse_key_file(std::string_view text, std::string_view origin,
                                               std::string* error) {
  return KeyFileParser(text, origin).parse(error);
}

}  // namespace dnsd::tsig
