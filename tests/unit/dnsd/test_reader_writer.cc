#include <doctest/doctest.h>

#include <vector>

#include "dnsd/wire/name.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/wire/writer.hh"

using namespace dnsd::wire;

namespace {

std::vector<std::uint8_t> header_then(std::vector<std::uint8_t> body) {
  std::vector<std::uint8_t> packet(12 + body.size(), 0);
  std::copy(body.begin(), body.end(), packet.begin() + 12);
  return packet;
}

}  // namespace

TEST_CASE("reader: follows a compression pointer backwards") {
  auto packet = header_then({3, 'c', 'o', 'm', 0, 3, 'w', 'w', 'w', 0xc0, 12});
  Reader reader(packet);
  reader.skip(12);
  WireName first, second;
  reader.name(first);
  reader.name(second);
  REQUIRE(reader.ok());
  CHECK(reader.remaining() == 0);
  CHECK(Name::from_wire(second.wire())->to_text() == "www.com.");
}

TEST_CASE("reader: rejects pointer loops, forward pointers and pointers into the header") {
  for (auto body : std::vector<std::vector<std::uint8_t>>{
           {0xc0, 12},          // points at itself
           {1, 'a', 0xc0, 12},  // loops back to its own start
           {0xc0, 14, 0},       // forward
           {0xc0, 2},           // into the header
           {0x40, 'a', 0},      // extended label type
           {0x80, 'a', 0},      // reserved label type
           {5, 'a', 'b'},       // label overruns the packet
           {3, 'c', 'o', 'm'},  // no terminating root label
           {0xc0},              // half a pointer
       }) {
    auto packet = header_then(body);
    Reader reader(packet);
    reader.skip(12);
    WireName name;
    reader.name(name);
    CHECK_FALSE(reader.ok());
  }
}

TEST_CASE("reader: rejects names longer than 255 bytes built from pointers") {
  std::vector<std::uint8_t> body;
  // 4 labels of 63 bytes = 256 bytes with lengths, plus the root: too long.
  for (int i = 0; i < 4; ++i) {
    body.push_back(63);
    body.insert(body.end(), 63, 'x');
  }
  body.push_back(0);
  auto packet = header_then(body);
  Reader reader(packet);
  reader.skip(12);
  WireName name;
  reader.name(name);
  CHECK_FALSE(reader.ok());
}

TEST_CASE("reader: sticky error after an overrun") {
  const std::uint8_t packet[] = {1, 2, 3};
  Reader reader(packet);
  CHECK(reader.u16() == 0x0102);
  CHECK(reader.u16() == 0);
  CHECK_FALSE(reader.ok());
  CHECK(reader.u8() == 0);
}

TEST_CASE("writer: compresses repeated suffixes case-insensitively") {
  std::array<std::uint8_t, 512> buffer{};
  Writer writer(buffer, buffer.size());
  writer.put_bytes(std::array<std::uint8_t, 12>{});
  const auto a = *Name::from_text("www.Example.com.");
  const auto b = *Name::from_text("mail.example.COM.");
  REQUIRE(writer.put_name(a.wire()));
  const std::size_t before = writer.size();
  REQUIRE(writer.put_name(b.wire()));
  CHECK(writer.size() - before == 1 + 4 + 2);  // "mail" then a pointer
  Reader reader(writer.packet());
  reader.skip(12);
  WireName first, second;
  reader.name(first);
  reader.name(second);
  REQUIRE(reader.ok());
  CHECK(names_equal(second.wire(), b.wire()));
}

TEST_CASE("writer: an RR that does not fit leaves the packet unchanged") {
  std::array<std::uint8_t, 64> buffer{};
  Writer writer(buffer, 40);
  writer.put_bytes(std::array<std::uint8_t, 12>{});
  const auto owner = *Name::from_text("a-rather-long-owner-name.example.");
  const std::uint8_t address[] = {192, 0, 2, 1};
  const auto mark = writer.mark();
  CHECK_FALSE(writer.put_rr(owner.wire(), rrtype::a, rrclass::in, 60, address));
  CHECK(writer.size() == mark.size);
}

TEST_CASE("writer: MX and SOA rdata names are compressed, SRV targets are not") {
  std::array<std::uint8_t, 512> buffer{};
  Writer writer(buffer, buffer.size());
  writer.put_bytes(std::array<std::uint8_t, 12>{});
  const auto zone = *Name::from_text("example.com.");
  writer.put_name(zone.wire());
  std::vector<std::uint8_t> mx{0, 10};
  const auto mail = *Name::from_text("mail.example.com.");
  mx.insert(mx.end(), mail.wire().begin(), mail.wire().end());
  std::size_t before = writer.size();
  REQUIRE(writer.put_rr(zone.wire(), rrtype::mx, rrclass::in, 60, mx));
  CHECK(writer.size() - before == 2 + 10 + 2 + 1 + 4 + 2);  // owner ptr, fixed, pref, "mail", ptr
  std::vector<std::uint8_t> srv{0, 1, 0, 2, 0, 3};
  srv.insert(srv.end(), mail.wire().begin(), mail.wire().end());
  before = writer.size();
  REQUIRE(writer.put_rr(zone.wire(), rrtype::srv, rrclass::in, 60, srv));
  CHECK(writer.size() - before == 2 + 10 + srv.size());
}

TEST_CASE("writer: never points into bytes not yet written (stale buffer, repeated labels)") {
  // Found by the fuzzer: a name whose labels repeat matched its own half-written suffix in an
  // older packet left in the buffer.
  std::array<std::uint8_t, 512> buffer{};
  buffer.fill(1);
  Writer writer(buffer, buffer.size());
  writer.put_bytes(std::array<std::uint8_t, 12>{});
  const std::uint8_t name[] = {1, 0, 1, 0, 1, 0, 0};
  REQUIRE(writer.put_name(name));
  Reader reader(writer.packet());
  reader.skip(12);
  WireName read;
  reader.name(read);
  REQUIRE(reader.ok());
  CHECK(names_equal(read.wire(), name));
}

TEST_CASE("writer: an owner written past 16 KiB is repeated in full, not by a wrapped pointer") {
  // A 14-bit pointer reaches offsets below 0x4000 only. A name written beyond that, partly as a
  // pointer ("sub-0" then bench.test.), must not be remembered for its next use: its offset
  // would wrap, and the second record of the RRset would point into the middle of another name
  // (found by bench/axfr.py: kdig called the AXFR malformed).
  std::vector<std::uint8_t> buffer(65535);
  Writer writer(buffer, buffer.size());
  writer.put_bytes(std::array<std::uint8_t, 12>{});
  const auto zone = *Name::from_text("bench.test.");
  REQUIRE(writer.put_name(zone.wire()));
  const std::vector<std::uint8_t> filler(0x4000, 0);
  REQUIRE(writer.put_bytes(filler));  // stands for the records before
  const auto owner = *Name::from_text("sub-0.bench.test.");
  const auto target = *Name::from_text("ns1.sub-0.bench.test.");
  REQUIRE(writer.put_rr(owner.wire(), rrtype::ns, rrclass::in, 60, target.wire()));
  const std::size_t second = writer.size();
  REQUIRE(writer.put_rr(owner.wire(), rrtype::ns, rrclass::in, 60, target.wire()));
  Reader reader(writer.packet());
  reader.skip(second);
  WireName read;
  reader.name(read);
  REQUIRE(reader.ok());
  CHECK(names_equal(read.wire(), owner.wire()));
}

namespace {

// The compression the writer promises, written the slow and obvious way: each suffix of each
// name points at the earliest earlier copy of it (compared case-insensitively) among the first
// `remembered` suffixes written below 0x4000, else its label is written out. Used to check the
// writer's bytes, not its speed.
std::vector<std::uint8_t> reference_names(const std::vector<Name>& names,
                                          std::size_t remembered = CompressionTable::k_max_names) {
  std::vector<std::uint8_t> packet(12, 0);
  std::vector<std::pair<std::size_t, std::vector<std::uint8_t>>> known;  // offset, lowered suffix
  auto lowered = [](std::span<const std::uint8_t> wire) {
    std::vector<std::uint8_t> out(wire.begin(), wire.end());
    for (auto& c : out) c = ascii_lower(c);
    return out;
  };
  for (const auto& name : names) {
    const auto wire = name.wire();
    std::size_t pos = 0;
    bool pointed = false;
    while (wire[pos] != 0 && !pointed) {
      const auto suffix = lowered(wire.subspan(pos));
      for (const auto& [offset, seen] : known) {
        if (seen != suffix) continue;
        packet.push_back(static_cast<std::uint8_t>(0xc0 | offset >> 8));
        packet.push_back(static_cast<std::uint8_t>(offset));
        pointed = true;
        break;
      }
      if (pointed) break;
      if (packet.size() < 0x4000 && known.size() < remembered)
        known.emplace_back(packet.size(), suffix);
      packet.insert(packet.end(), wire.begin() + pos, wire.begin() + pos + 1 + wire[pos]);
      pos += 1 + wire[pos];
    }
    if (!pointed) packet.push_back(0);
  }
  return packet;
}

// Names as a transfer writes them: many owners under one zone, mixed case, repeated now and
// then, with rdata names pointing elsewhere in the zone.
std::vector<Name> many_names(int count) {
  std::vector<Name> names;
  for (int i = 0; i < count; ++i) {
    const std::string host = (i % 3 == 0 ? "Host-" : "host-") + std::to_string(i % 700);
    names.push_back(*Name::from_text(host + (i % 5 == 0 ? ".BENCH.test." : ".bench.test.")));
    if (i % 4 == 0) names.push_back(*Name::from_text("mail." + host + ".bench.test."));
    if (i % 7 == 0) names.push_back(*Name::from_text("ns" + std::to_string(i % 9) + ".example."));
  }
  return names;
}

std::vector<std::uint8_t> written_names(const std::vector<Name>& names, std::size_t buffer_size) {
  std::vector<std::uint8_t> buffer(buffer_size);
  Writer writer(buffer, buffer.size());
  writer.put_bytes(std::array<std::uint8_t, 12>{});
  for (const auto& name : names) REQUIRE(writer.put_name(name.wire()));
  return {writer.packet().begin(), writer.packet().end()};
}

}  // namespace

TEST_CASE("writer: a message with a few names is compressed exactly as the reference does") {
  // Fewer suffixes than the table the writer had before (128 offsets, scanned in order), so
  // these bytes are also the ones it wrote.
  const auto names = many_names(30);
  CHECK(written_names(names, 4096) == reference_names(names, 128));
}

TEST_CASE("writer: a long message with thousands of names is compressed as the reference does") {
  // More suffixes land below 0x4000 than the table keeps (the first 512); past 0x4000 names
  // are no pointer targets, so every later name points at one of those or is written in full.
  const auto names = many_names(4000);
  const auto written = written_names(names, 65535);
  REQUIRE(written.size() > 0x4000);
  CHECK(written == reference_names(names));
  // Still more compact than the writer before, which remembered the first 128 only.
  CHECK(written.size() < reference_names(names, 128).size());
  // And it reads back, name by name.
  Reader reader(written);
  reader.skip(12);
  for (const auto& name : names) {
    WireName read;
    reader.name(read);
    REQUIRE(reader.ok());
    REQUIRE(names_equal(read.wire(), name.wire()));
  }
  CHECK(reader.remaining() == 0);
}

TEST_CASE("writer: once the table is full, later names are written in full and still read back") {
  // 600 distinct single-label names below 0x4000: more than the table's 512 entries.
  std::vector<Name> names;
  for (int i = 0; i < 600; ++i) names.push_back(*Name::from_text("n" + std::to_string(i) + "."));
  for (int i = 0; i < 600; ++i) names.push_back(names[static_cast<std::size_t>(i)]);
  const auto written = written_names(names, 65535);
  Reader reader(written);
  reader.skip(12);
  std::size_t pointers = 0;
  for (const auto& name : names) {
    if ((reader.remaining() >= 2) && (written[written.size() - reader.remaining()] & 0xc0) == 0xc0)
      ++pointers;
    WireName read;
    reader.name(read);
    REQUIRE(reader.ok());
    REQUIRE(names_equal(read.wire(), name.wire()));
  }
  CHECK(pointers == CompressionTable::k_max_names);  // the second copies of the first 512
}

TEST_CASE("writer: compression keeps the case of the first copy and ignores case when matching") {
  std::array<std::uint8_t, 512> buffer{};
  Writer writer(buffer, buffer.size());
  writer.put_bytes(std::array<std::uint8_t, 12>{});
  const auto first = *Name::from_text("WWW.Example.COM.");
  REQUIRE(writer.put_name(first.wire()));
  const std::size_t second_at = writer.size();
  REQUIRE(writer.put_name(Name::from_text("www.example.com.")->wire()));
  CHECK(writer.size() - second_at == 2);  // one pointer to the whole first name
  CHECK(writer.packet()[second_at] == 0xc0);
  CHECK(writer.packet()[second_at + 1] == 12);
}

TEST_CASE("writer: a rolled-back name is forgotten, and written again in full") {
  std::array<std::uint8_t, 512> buffer{};
  Writer writer(buffer, buffer.size());
  writer.put_bytes(std::array<std::uint8_t, 12>{});
  const auto mark = writer.mark();
  const auto name = *Name::from_text("gone.example.");
  const auto copy = *Name::from_text("gone.example.");
  REQUIRE(writer.put_name(name.wire()));
  writer.rollback(mark);
  CHECK(writer.mark().names == mark.names);
  REQUIRE(writer.put_name(copy.wire()));
  CHECK(writer.size() - mark.size == name.wire().size());  // in full, at the same place
  const std::size_t third = writer.size();
  REQUIRE(writer.put_name(Name::from_text("x.GONE.example.")->wire()));
  CHECK(writer.size() - third == 2 + 2);  // "x", then a pointer to the copy written again
  CHECK(writer.packet()[third + 3] == mark.size);
}
