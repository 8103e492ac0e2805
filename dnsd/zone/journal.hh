// zone::Journal: the last diffs of one zone, by serial, bounded in count and in bytes (the
// oldest go first), so that an IXFR (RFC 1995) can be answered from it or told to fall back
// to AXFR. Not thread-safe: its owner serialises appends and reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dnsd/zone/diff.hh"

namespace dnsd::zone {

class Journal {
 public:
  struct Limits {
    std::size_t max_entries = 100;
    std::size_t max_bytes = 16 * 1024 * 1024;  // of the diffs' records in wire form
  };

  explicit Journal(Limits limits) : limits_(limits) {}

  // Records the diff that made the current zone; then drops the oldest diffs until both limits
  // hold (a diff larger than max_bytes alone is not kept). A diff that does not start at the
  // current serial begins a new history: the older diffs no longer lead to the zone.
  void append(Diff diff);

  // The diffs that take a zone at `serial` to the current serial, oldest first: empty when
  // `serial` is the current serial, nullopt when the journal does not hold them (RFC 1995 §4:
  // answer with a full zone transfer instead). The span is valid until the next append.
  std::optional<std::span<const Diff>> since(std::uint32_t serial) const noexcept;

  std::optional<std::uint32_t> current_serial() const noexcept { return current_; }
  std::size_t size() const noexcept { return diffs_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }

 private:
  Limits limits_;
  std::vector<Diff> diffs_;  // oldest first; each starts where the previous one ends
  std::size_t bytes_ = 0;
  std::optional<std::uint32_t> current_;
};

}  // namespace dnsd::zone
