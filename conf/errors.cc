// Error text: "FILE:LINE: KEY: MESSAGE", the form compilers use, so editors can jump to it.
#include "conf/errors.hh"

#include <fmt/format.h>

namespace conf {

std::string Error::to_string() const {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}", line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

namespace {

// Printable ASCII kept, any other byte as \xNN (and, when `quote`, " and \ escaped), until the
// output reaches `limit` characters.
struct Printable {
  std::string text;
  std::string cut;  // "... (N bytes)" when the text did not fit, else empty
};
Printable printable(std::string_view text, std::size_t limit, bool quote) {
  std::string out;
  std::size_t used = 0;
  for (; used < text.size() && out.size() < limit; ++used) {
    const auto byte = static_cast<unsigned char>(text[used]);
    if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      if (quote && (byte == '"' || byte == '\\')) out += '\\';
      out += text[used];
    }
  }
  if (used == text.size()) return {std::move(out), ""};
  return {std::move(out), fmt::format("... ({} bytes)", text.size())};
}

std::string printable_line(std::string_view text) {
  auto p = printable(text, k_max_message, false);
  return p.text + p.cut;
}

constexpr std::size_t k_excerpt = 80;

}  // namespace

void Diagnostics::add_in(std::string file, std::size_t line, std::string key, std::string message) {
  if (errors_.size() >= k_max_errors) {
    ++dropped_;
    return;
  }
  // Messages quote what they found; whatever a reader quoted, what is kept stays short.
  errors_.push_back(Error{printable_line(file), line, std::move(key), printable_line(message)});
}

std::vector<Error> Diagnostics::take() {
  if (dropped_ > 0)
    errors_.push_back(Error{file_, 0, "",
                            fmt::format("and {} more error{} (only the first {} are reported)",
                                        dropped_, dropped_ == 1 ? "" : "s", k_max_errors)});
  dropped_ = 0;
  return std::move(errors_);
}

void Diagnostics::warn(std::string message) {
  for (const auto& earlier : warnings_)
    if (earlier == message) return;
  warnings_.push_back(std::move(message));
}

std::string syntax_error_message(std::string_view description, std::size_t column) {
  std::string what;
  constexpr std::string_view prefix = "Error while parsing ";
  if (description.substr(0, prefix.size()) == prefix) {
    description.remove_prefix(prefix.size());
    const auto colon = description.find(": ");
    if (colon != std::string_view::npos) {
      what = fmt::format(" in {}", description.substr(0, colon));
      description.remove_prefix(colon + 2);
    }
  }
  std::string text;
  for (std::size_t i = 0; i < description.size(); ++i) {
    const char c = description[i];
    if (description.substr(i, 4) == "'\\n'") {
      text += "end of line";
      i += 3;
    } else if (c == '\n' || c == '\r' || c == '\t') {
      if (!text.empty() && text.back() != ' ') text += ' ';  // a wrapped message: one line
    } else {
      text += c;
    }
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  const std::string at = column > 0 ? fmt::format(" (column {})", column) : "";
  return fmt::format("syntax error{}{}: {}", what, at, text);
}

std::string excerpt(std::string_view text) {
  const auto p = printable(text, k_excerpt, true);
  return "\"" + p.text + "\"" + p.cut;
}

std::string bare_excerpt(std::string_view text) {
  const auto p = printable(text, k_excerpt, false);
  return p.text + p.cut;
}

std::string in_quotes(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string join(const std::vector<std::string_view>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace conf
