// The dynamic overlay: the records dynamic updates added to each zone, kept apart from the
// records of the config and master files, which no update ever changes. apply() carries out an
// update section (RFC 2136 §3.4) on a copy, so an update happens whole or not at all;
// merge_zone() builds the zone as served: the config's records, then the overlay's.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dnsd/update/message.hh"
#include "dnsd/update/verdict.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::update {

struct OverlayRecord {
  wire::Name owner;  // lower-cased
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::vector<std::uint8_t> rdata;
  wire::Name key;            // the key that added it (its policy's max_records counts these)
  std::int64_t expires = 0;  // Unix seconds; 0: never
  friend bool operator==(const OverlayRecord&, const OverlayRecord&) = default;
};

struct ZoneOverlay {
  wire::Name origin;  // lower-cased
  // The SOA serial the zone shows once its overlay changed (RFC 1982: each applied update moves
  // it on from the larger of this and the config's); nullopt until the first update.
  std::optional<std::uint32_t> serial;
  std::vector<OverlayRecord> records;
};

using Overlays = std::vector<ZoneOverlay>;

// The overlay of `origin`, or null.
const ZoneOverlay* find_overlay(const Overlays& overlays, const wire::Name& origin) noexcept;
ZoneOverlay& overlay_for(Overlays& overlays, const wire::Name& origin);

// One effect of an update on an overlay: what the log keeps and replays, and the log line shows.
struct Change {
  bool add = true;
  OverlayRecord record;
};

// §3.4.1 prescan: each update record's class, type, TTL and rdata form (FORMERR) and owner
// (NOTZONE).
Verdict prescan(const wire::Name& origin, std::uint16_t zone_class,
                std::span<const Record> updates);

struct Applied {
  Verdict verdict;
  std::vector<Change> changes;  // empty: nothing to do (the serial stays)
};

// §3.4.2 on `overlay` (changed only when the verdict is NOERROR). `base` is the zone from the
// config: a delete that would remove one of its records is REFUSED (the config and master files
// are the operator's; an update never touches them), and an add of a record it already holds
// changes nothing. Records added get `key` and, with `expires`, that expiry time.
Applied apply(ZoneOverlay& overlay, const zone::Zone& base, std::span<const Record> updates,
              const wire::Name& key, std::int64_t expires);

// Applies logged changes (replay, expiry) as they are.
void apply_changes(ZoneOverlay& overlay, std::span<const Change> changes);

// Records added through `key` in `overlay`.
std::size_t records_of(const ZoneOverlay& overlay, const wire::Name& key) noexcept;

// The zone as served: `base`'s records and health-routed names, then the overlay's records,
// with the overlay's serial in the SOA. Errors when they do not make a valid zone together.
zone::BuildResult merge_zone(const zone::Zone& base, const ZoneOverlay* overlay);

// The serial after an applied update: one past the newer (RFC 1982) of the overlay's and the
// config's.
std::uint32_t next_serial(const ZoneOverlay& overlay, std::uint32_t base_serial) noexcept;

}  // namespace dnsd::update
