// UPDATE messages (RFC 2136 §2): the zone, prerequisite and update sections read into owned
// records, owners lower-cased and the names inside rdata decompressed, so the checks that
// follow never look at the packet again. Runs on the update thread, except check(), which keeps
// nothing and allocates nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dnsd/wire/name.hh"
#include "dnsd/wire/reader.hh"

namespace dnsd::update {

struct Record {
  wire::Name owner;  // lower-cased
  std::uint16_t type = 0;
  std::uint16_t rrclass = 0;
  std::uint32_t ttl = 0;
  std::vector<std::uint8_t> rdata;  // uncompressed wire form
  friend bool operator==(const Record&, const Record&) = default;
};

struct Message {
  wire::Header header;
  wire::Name zone;  // lower-cased
  std::uint16_t zone_class = 0;
  std::vector<Record> prerequisites;
  std::vector<Record> updates;
};

// At most this many prerequisite and update records together (a 64 KiB message holds about
// 5000 minimal ones); more is FORMERR before anything is copied.
inline constexpr std::size_t max_records = 4096;

// Reads an UPDATE (opcode 5, QR clear). Returns NOERROR, or FORMERR with `why` set: a zone
// section that is not exactly one SOA question (§3.1.1), a record that does not parse, too many
// records. The additional section (TSIG, OPT) is left to the caller.
std::uint16_t parse(std::span<const std::uint8_t> packet, Message& out, std::string& why);

// parse()'s verdict and zone section without keeping anything: no allocation, so a query thread
// may call it (dnsd/update/screen.hh). `zone` (lower-cased) and `zone_class` are set as parse()
// sets them.
std::uint16_t check(std::span<const std::uint8_t> packet, wire::Name& zone,
                    std::uint16_t& zone_class) noexcept;

// Presentation form of one record, for log lines: "_acme-challenge.example.com. 120 TXT \"x\"".
std::string record_text(const Record& record);

}  // namespace dnsd::update
