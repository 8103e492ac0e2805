// JsonStream's scanner: a brace depth that ignores braces inside strings (with escapes).
#include "fleet/json_stream.hh"

namespace fleet {

bool JsonStream::step(char c) {
  if (depth_ == 0) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') return false;
    if (c != '{') {
      failed_ = true;
      return false;
    }
  }
  if (object_.size() >= max_object_bytes_) {
    failed_ = true;
    return false;
  }
  object_.push_back(c);
  if (in_string_) {
    if (escaped_) {
      escaped_ = false;
    } else if (c == '\\') {
      escaped_ = true;
    } else if (c == '"') {
      in_string_ = false;
    }
    return false;
  }
  if (c == '"') {
    in_string_ = true;
  } else if (c == '{' || c == '[') {
    ++depth_;
  } else if (c == '}' || c == ']') {
    if (--depth_ == 0) return true;
  }
  return false;
}

}  // namespace fleet
