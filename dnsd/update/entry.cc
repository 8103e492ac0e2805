// Update log entries: encoding, decoding (bounds-checked with wire::Reader) and replay.
#include "dnsd/update/entry.hh"

#include "dnsd/wire/reader.hh"

namespace dnsd::update {
namespace {

constexpr std::uint8_t k_version = 1;

class Out {
 public:
  void u8(std::uint8_t v) { bytes.push_back(v); }
  void u16(std::uint16_t v) { number(v, 2); }
  void u32(std::uint32_t v) { number(v, 4); }
  void i64(std::int64_t v) { number(static_cast<std::uint64_t>(v), 8); }
  void name(const wire::Name& n) { span(n.wire()); }
  void span(std::span<const std::uint8_t> s) { bytes.insert(bytes.end(), s.begin(), s.end()); }
  std::vector<std::uint8_t> bytes;

 private:
  void number(std::uint64_t v, int size) {
    for (int i = size - 1; i >= 0; --i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
};

bool read_name(wire::Reader& in, wire::Name& out) {
  wire::WireName name;
  in.name(name);  // our own names are never compressed; a pointer would fail from_wire's caller
  const auto parsed = in.ok() ? wire::Name::from_wire(name.wire()) : std::nullopt;
  if (!parsed) return false;
  out = *parsed;
  return true;
}

std::int64_t read_i64(wire::Reader& in) {
  const std::uint64_t high = in.u32();
  return static_cast<std::int64_t>(high << 32 | in.u32());
}

}  // namespace

std::vector<std::uint8_t> encode(const Entry& entry) {
  Out out;
  out.u8(k_version);
  out.u8(static_cast<std::uint8_t>(entry.kind));
  out.name(entry.zone);
  out.i64(entry.time);
  out.name(entry.key);
  out.u8(entry.serial.has_value());
  out.u32(entry.serial.value_or(0));
  out.u32(static_cast<std::uint32_t>(entry.changes.size()));
  for (const Change& change : entry.changes) {
    out.u8(change.add);
    out.name(change.record.owner);
    out.u16(change.record.type);
    out.u32(change.record.ttl);
    out.name(change.record.key);
    out.i64(change.record.expires);
    out.u16(static_cast<std::uint16_t>(change.record.rdata.size()));
    out.span(change.record.rdata);
  }
  return std::move(out.bytes);
}

std::optional<Entry> decode(std::span<const std::uint8_t> bytes) {
  wire::Reader in(bytes);
  Entry entry;
  if (in.u8() != k_version) return std::nullopt;
  const std::uint8_t kind = in.u8();
  if (kind < 1 || kind > 3) return std::nullopt;
  entry.kind = static_cast<Entry::Kind>(kind);
  if (!read_name(in, entry.zone)) return std::nullopt;
  entry.time = read_i64(in);
  if (!read_name(in, entry.key)) return std::nullopt;
  const bool has_serial = in.u8() != 0;
  const std::uint32_t serial = in.u32();
  if (has_serial) entry.serial = serial;
  const std::uint32_t count = in.u32();
  if (!in.ok() || count > in.remaining()) return std::nullopt;  // each change takes bytes
  entry.changes.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    Change change;
    change.add = in.u8() != 0;
    if (!read_name(in, change.record.owner)) return std::nullopt;
    change.record.type = in.u16();
    change.record.ttl = in.u32();
    if (!read_name(in, change.record.key)) return std::nullopt;
    change.record.expires = read_i64(in);
    const std::uint16_t size = in.u16();
    const std::size_t at = in.pos();
    in.skip(size);
    if (!in.ok()) return std::nullopt;
    change.record.rdata.assign(bytes.begin() + at, bytes.begin() + at + size);
    entry.changes.push_back(std::move(change));
  }
  if (!in.ok() || in.remaining() != 0) return std::nullopt;
  return entry;
}

void replay(Overlays& overlays, const Entry& entry) {
  ZoneOverlay& overlay = overlay_for(overlays, entry.zone);
  if (entry.kind == Entry::Kind::snapshot) overlay.records.clear();
  apply_changes(overlay, entry.changes);
  if (entry.serial) overlay.serial = entry.serial;
}

}  // namespace dnsd::update
