// libFuzzer target: any text as an RFC 1035 master file for the zone example. (conf/master_file,
// with $INCLUDE, $ORIGIN and $TTL). Reading must not crash; every record it hands on lies in
// the zone, and its rdata prints and parses back to the same bytes (what a transfer to another
// server, or the zone written back as text, relies on).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "conf/master_file.hh"
#include "dnsd/wire/rdata_text.hh"
#include "fuzz_support.hh"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz_support::empty_directory() + "/fuzz.zone";
  static const auto origin = *dnsd::wire::Name::from_text("example.");
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);

  conf::MasterFileOptions options{origin, 3600, "zone[0].file"};
  std::vector<conf::MasterRecord> records;
  conf::Diagnostics diag("fuzz.toml");
  std::string error;
  if (!conf::read_master_file(path, options, records, diag, &error)) std::abort();  // it exists
  for (const auto& record : records) {
    if (!record.owner.is_subdomain_of(origin)) std::abort();
    const std::string text = dnsd::wire::rdata_to_text(record.type, record.rdata);
    const auto again = dnsd::wire::rdata_from_text(record.type, text, origin, nullptr);
    if (!again || *again != record.rdata) std::abort();
  }
  for (const auto& e : diag.take())
    if (e.line == 0 && e.file.empty()) std::abort();
  return 0;
}
