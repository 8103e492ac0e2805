// Reads an RFC 1035 §5.1 master file (what BIND, Knot and NSD load) into records for a zone:
// $ORIGIN, $TTL, $INCLUDE, "@", relative names, blank owners, TTL and class in either order,
// parentheses, comments, quoted strings, and RFC 3597 "\#" data. Class IN only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "conf/errors.hh"
#include "conf/files.hh"
#include "dnsd/wire/name.hh"

namespace conf {

struct MasterRecord {
  dnsd::wire::Name owner;
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::vector<std::uint8_t> rdata;
  std::string file;  // where it was written, for errors found later (e.g. by the zone builder)
  std::size_t line = 0;
};

struct MasterFileOptions {
  dnsd::wire::Name zone;          // the origin at the start; every owner must lie in it
  std::uint32_t default_ttl = 0;  // the $TTL until the file sets one
  std::string key;                // the TOML key behind the file, e.g. "zone[0].file"
  // Bounds ([server] max_zone_*): each file's size, the records of the file and its $INCLUDEs
  // together, and each line's length.
  std::size_t max_file_size = std::size_t{64} << 20;
  std::size_t max_records = 1'000'000;
  std::size_t max_line_length = 65'536;
  // The configured secret files: never read as a zone, so never quoted in an error.
  const SecretFiles* secrets = nullptr;
};

// $INCLUDE may nest this deep (a guard against runaway includes besides the loop check).
inline constexpr std::size_t max_include_depth = 8;

// Receives each good record in file order, as it is read: a million-record file is never held
// as records, only as text and in the zone builder.
using MasterSink = std::function<void(MasterRecord&& record)>;

// Hands the good records of `path` (and of its $INCLUDEs) to `sink` and reports every bad
// entry to `diag` with the master file's name and line. Returns false, with *error set, only
// when `path` itself cannot be read.
bool read_master_file(const std::string& path, const MasterFileOptions& options,
                      const MasterSink& sink, Diagnostics& diag, std::string* error);

// The same, collected into `out` (for tests and small files).
bool read_master_file(const std::string& path, const MasterFileOptions& options,
                      std::vector<MasterRecord>& out, Diagnostics& diag, std::string* error);

}  // namespace conf
