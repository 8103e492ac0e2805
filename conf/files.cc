// File reading for conf/: whole files, with errno text in the message.
#include "conf/files.hh"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "conf/errors.hh"

namespace conf {

bool read_file(const std::string& path, std::string& text, std::string* error) {
  std::error_code ec;
  // An ifstream opens a directory without complaint and then reads nothing.
  if (std::filesystem::is_directory(path, ec)) {
    *error = fmt::format("cannot read {}: it is a directory", in_quotes(path));
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = fmt::format("cannot read {}: {}", in_quotes(path), std::strerror(errno));
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    *error = fmt::format("cannot read {}: read error", in_quotes(path));
    return false;
  }
  text = std::move(buffer).str();
  return true;
}

}  // namespace conf
