// libFuzzer target: any text as dnsd's TOML config (conf::load_string, the reader --check-config
// and reload use). Loading must not crash and must either give a config and no errors or no
// config and at least one error, each naming the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "conf/load.hh"
#include "fuzz_support.hh"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Relative file names in the config (master files, secrets, CA files) resolve in an empty
  // directory: they are missing, which is one more error path to walk.
  static const std::string path = fuzz_support::empty_directory() + "/fuzz.toml";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const conf::LoadResult result = conf::load_string(text, path);
  if ((result.config == nullptr) == result.errors.empty()) std::abort();
  for (const auto& error : result.errors)
    if (error.file.empty() || error.message.empty()) std::abort();
  return 0;
}
