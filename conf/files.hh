// Reading the files a config names (master files, secrets, PEM files) in one place, so every
// one of them fails the same way: an error message, never an exception or a silent empty read.
#pragma once

#include <string>

namespace conf {

// The whole file at `path`; on failure false and *error is e.g.
// `cannot read "x.zone": No such file or directory`.
bool read_file(const std::string& path, std::string& text, std::string* error);

}  // namespace conf
