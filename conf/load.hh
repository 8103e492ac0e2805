// conf::load_file / load_string: dnsd's TOML config (and the RFC 1035 master files it names)
// read into a validated Config. Collects every error with file, line and key; never
// half-applies anything.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "conf/config.hh"
#include "conf/errors.hh"

namespace conf {

struct LoadResult {
  std::unique_ptr<Config> config;  // null when errors is not empty
  std::vector<Error> errors;
  std::vector<std::string> warnings;  // e.g. a secret file others may read; the load stands
};

// Reads and validates the config file at `path`. Relative file names inside it (master files,
// secrets, CA files) are taken relative to the directory of `path`.
LoadResult load_file(const std::string& path);
// The same from text already in memory (for tests); `path` names it in errors.
LoadResult load_string(std::string_view toml_text, const std::string& path);

}  // namespace conf
