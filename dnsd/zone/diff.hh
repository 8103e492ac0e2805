// zone::Diff: one change of a zone from one SOA serial to the next, shaped as an IXFR
// difference sequence (RFC 1995 §4), and apply(), which makes the next Zone from the previous
// one and a diff without re-reading files. The previous zone is never modified.
#pragma once

#include <cstdint>
#include <vector>

#include "dnsd/wire/name.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::zone {

// One resource record, held by value (class IN).
struct Record {
  wire::Name owner;
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::vector<std::uint8_t> rdata;  // uncompressed wire form

  // Its size in a zone transfer (owner, type, class, TTL, RDLENGTH, rdata): for bounds.
  std::size_t wire_size() const noexcept { return owner.size() + 10 + rdata.size(); }
};

// What IXFR sends for one serial step (RFC 1995 §4): the old SOA, the records removed, the new
// SOA, the records added. The SOAs are not repeated in `removed` and `added`. Removing and
// adding records of one owner and type replaces (part of) that RRset; an RRset's TTL stays
// the one of its first remaining record (RFC 2181 §5.2), so to change it replace every record.
// A removed record matches a record of the zone by owner (case aside), type and rdata (byte
// for byte); its TTL is not compared, as in IXFR and RFC 2136 §2.5.4.
struct Diff {
  Record old_soa;
  std::vector<Record> removed;
  Record new_soa;
  std::vector<Record> added;

  std::uint32_t from_serial() const noexcept;
  std::uint32_t to_serial() const noexcept;
  std::size_t wire_size() const noexcept;

  // A diff for `zone` to the serial `serial`, with nothing removed or added yet.
  static Diff starting_at(const Zone& zone, std::uint32_t serial);
  // Adds every record of the RRset (owner, type) of `zone` to `removed`; none if it has none.
  void remove_rrset(const Zone& zone, const wire::Name& owner, std::uint16_t type);
};

// The zone's SOA record.
Record soa_record(const Zone& zone);

// The zone that `zone` becomes with `diff`: the diff must start at the zone's serial and
// raise it (RFC 1982), remove only records the zone holds, add only ones it does not, and
// leave a zone that meets the builder's rules. On any error, result.zone is null, every
// error is listed, and `zone` is as it was.
BuildResult apply(const Zone& zone, const Diff& diff);

}  // namespace dnsd::zone
