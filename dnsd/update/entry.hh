// One entry of the update log (control/update_log.hh stores it as opaque bytes): an applied
// update's effect on one zone's overlay, or an expiry's, or a whole overlay after compaction.
// Replay applies the changes as they are, so it never depends on the policy or zone of the day.
//
// Layout (integers big-endian): u8 version (1) | u8 kind | zone name | i64 time | key name |
// u8 has_serial | u32 serial | u32 count | count x (u8 add | owner | u16 type | u32 ttl |
// key name | i64 expires | u16 rdlength | rdata). Names are uncompressed wire names.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dnsd/update/overlay.hh"

namespace dnsd::update {

struct Entry {
  enum class Kind : std::uint8_t { update = 1, expiry = 2, snapshot = 3 };
  Kind kind = Kind::update;
  wire::Name zone;
  std::int64_t time = 0;  // Unix seconds
  wire::Name key;         // the root for expiry and snapshot entries
  std::optional<std::uint32_t> serial;
  std::vector<Change> changes;
};

std::vector<std::uint8_t> encode(const Entry& entry);
// nullopt when the bytes are not an entry this version wrote.
std::optional<Entry> decode(std::span<const std::uint8_t> bytes);

// Applies a replayed entry to the overlays: a snapshot replaces the zone's overlay, others
// apply their changes; the serial is the entry's.
void replay(Overlays& overlays, const Entry& entry);

}  // namespace dnsd::update
