// LiveSerials: the SOA serial each served zone shows now. A zone published to secondaries
// (publish/) gets a new serial on every change of what it serves, health decisions included,
// without a new generation being built; the query path writes the SOA's serial field from
// here, so a secondary's SOA query, an IXFR and a transfer all see the same serial. One atomic
// word per zone of a ZoneSet, by Zone::index(); readers never lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "dnsd/zone/zone.hh"

namespace dnsd {

class LiveSerials {
 public:
  // Each zone starts at its own SOA serial.
  explicit LiveSerials(const zone::ZoneSet& zones)
      : size_(zones.zones().size()), words_(new std::atomic<std::uint32_t>[size_]) {
    for (const auto& zone : zones.zones()) words_[zone->index()].store(zone->serial());
  }
  std::size_t size() const noexcept { return size_; }
  std::uint32_t serial(std::size_t zone) const noexcept {
    return words_[zone].load(std::memory_order_relaxed);
  }
  // Called by the publisher after the zone's snapshot at `serial` is out.
  void set(std::size_t zone, std::uint32_t serial) noexcept {
    if (zone < size_) words_[zone].store(serial, std::memory_order_relaxed);
  }

 private:
  std::size_t size_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> words_;
};

}  // namespace dnsd
