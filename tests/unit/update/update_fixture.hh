// Shared by the dnsd/update tests: a small zone built from presentation-format records, and
// UPDATE messages written record by record.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dnsd/update/message.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/zone/zone.hh"

namespace update_test {

using namespace dnsd;

inline wire::Name name(const char* text) { return *wire::Name::from_text(text); }

inline std::vector<std::uint8_t> rdata(const char* type, const char* text) {
  static const auto origin = name("example.");
  return *wire::rdata_from_text(*wire::type_from_text(type), text, origin, nullptr);
}

// example. with SOA serial 10, NS, ns1 A, and a TXT at fixed._acme-challenge (the config's).
inline std::unique_ptr<zone::Zone> base_zone() {
  zone::ZoneBuilder builder(name("example."));
  const auto add = [&](const char* owner, const char* type, const char* text) {
    builder.add_record(name(owner), *wire::type_from_text(type), 300, rdata(type, text));
  };
  add("example.", "SOA", "ns1.example. h.example. 10 3600 600 86400 300");
  add("example.", "NS", "ns1.example.");
  add("ns1.example.", "A", "192.0.2.53");
  add("fixed._acme-challenge.example.", "TXT", "\"config\"");
  return std::move(builder).build().zone;
}

inline update::Record record(const char* owner, const char* type, std::uint16_t rrclass,
                             std::uint32_t ttl = 0, const char* text = nullptr) {
  update::Record r;
  r.owner = name(owner).lowercased();
  r.type = *wire::type_from_text(type);
  r.rrclass = rrclass;
  r.ttl = ttl;
  if (text) r.rdata = rdata(type, text);
  return r;
}

// An UPDATE message for `zone` with the given prerequisite and update records.
inline std::vector<std::uint8_t> message(const char* zone,
                                         const std::vector<update::Record>& prerequisites,
                                         const std::vector<update::Record>& updates,
                                         std::uint16_t id = 0x4242) {
  std::vector<std::uint8_t> out;
  const auto u16 = [&](std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
  };
  const auto put_name = [&](const wire::Name& n) {
    out.insert(out.end(), n.wire().begin(), n.wire().end());
  };
  u16(id);
  u16(5 << 11);
  u16(1);
  u16(static_cast<std::uint16_t>(prerequisites.size()));
  u16(static_cast<std::uint16_t>(updates.size()));
  u16(0);
  put_name(name(zone));
  u16(wire::rrtype::soa);
  u16(wire::rrclass::in);
  for (const auto* section : {&prerequisites, &updates})
    for (const auto& r : *section) {
      put_name(r.owner);
      u16(r.type);
      u16(r.rrclass);
      u16(static_cast<std::uint16_t>(r.ttl >> 16));
      u16(static_cast<std::uint16_t>(r.ttl));
      u16(static_cast<std::uint16_t>(r.rdata.size()));
      out.insert(out.end(), r.rdata.begin(), r.rdata.end());
    }
  return out;
}

}  // namespace update_test
