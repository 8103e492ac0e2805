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

// Printable ASCII kept, anything else as \xNN, at most `limit` input bytes.
std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte >= 0x7f)
      out += fmt::format("\\x{:02x}", byte);
    else
      out += text[i];
  }
  return out;
}

}  // namespace

void Diagnostics::add_in(std::string file, std::size_t line, std::string key, std::string message) {
  if (errors_.size() >= k_max_errors) {
    ++dropped_;
    return;
  }
  // Messages quote what they found; whatever a reader quoted, what is kept stays short.
  std::string kept = printable(message, k_max_message);
  if (message.size() > k_max_message) kept += fmt::format("... ({} bytes)", message.size());
  errors_.push_back(Error{printable(file, k_max_message), line, std::move(key), std::move(kept)});
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

std::string excerpt(std::string_view text) {
  constexpr std::size_t k_excerpt = 80;
  std::string out = "\"";
  for (char c : text.substr(0, k_excerpt)) {
    if (c == '"' || c == '\\') out += '\\';
    out += printable(std::string_view(&c, 1), 1);
  }
  out += '"';
  if (text.size() > k_excerpt) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

std::string bare_excerpt(std::string_view text) {
  constexpr std::size_t k_excerpt = 80;
  std::string out = printable(text, k_excerpt);
  if (text.size() > k_excerpt) out += fmt::format("... ({} bytes)", text.size());
  return out;
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
