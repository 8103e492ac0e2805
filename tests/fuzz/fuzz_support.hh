// Shared by the fuzz targets that need files: one empty directory per fuzzing process, removed
// at exit, so relative names in the input find nothing and nothing is left behind.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fuzz_support {

inline const std::string& empty_directory() {
  static const std::string dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "dnsd-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    static const std::string removed = pattern;
    std::atexit([] { std::filesystem::remove_all(removed); });
    return pattern;
  }();
  return dir;
}

}  // namespace fuzz_support
