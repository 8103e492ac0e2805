// The shared name hash and name index, and Reader::lowered_name, which hashes as it reads.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dnsd/wire/name.hh"
#include "dnsd/wire/name_hash.hh"
#include "dnsd/wire/name_index.hh"
#include "dnsd/wire/reader.hh"

using namespace dnsd::wire;

namespace {

std::vector<std::uint8_t> wire_of(const std::string& text) {
  const auto name = *Name::from_text(text);
  return {name.wire().begin(), name.wire().end()};
}

}  // namespace

TEST_CASE("name index: finds every name it was built over, and nothing else") {
  std::vector<std::vector<std::uint8_t>> names;
  for (int i = 0; i < 1000; ++i)
    names.push_back(wire_of("host-" + std::to_string(i) + ".example."));
  NameIndex index;
  const auto name_of = [&](std::uint32_t i) { return std::span<const std::uint8_t>(names[i]); };
  index.build(static_cast<std::uint32_t>(names.size()), name_of);
  CHECK(index.capacity() >= 2 * names.size());
  for (std::uint32_t i = 0; i < names.size(); ++i) CHECK(index.find(names[i], name_of) == i);
  CHECK(index.find(wire_of("host-1000.example."), name_of) == NameIndex::npos);
  CHECK(index.find(wire_of("example."), name_of) == NameIndex::npos);
}

TEST_CASE("name index: a later position with the same name takes the slot") {
  const std::vector<std::vector<std::uint8_t>> names = {
      wire_of("a.example."), wire_of("b.example."), wire_of("a.example.")};
  const auto name_of = [&](std::uint32_t i) { return std::span<const std::uint8_t>(names[i]); };
  NameIndex index;
  index.build(3, name_of);
  CHECK(index.find(names[0], name_of) == 2);
  CHECK(index.find(names[1], name_of) == 1);
}

TEST_CASE("name index: one never built finds nothing") {
  const NameIndex index;
  const auto name = wire_of("example.");
  CHECK(index.find(name, [&](std::uint32_t) { return std::span<const std::uint8_t>(name); }) ==
        NameIndex::npos);
}

TEST_CASE("reader: lowered_name lower-cases and hashes the name as it reads it") {
  const auto mixed = wire_of("WwW.ExAmple.");
  std::vector<std::uint8_t> packet = mixed;
  packet.insert(packet.end(), {0, 1, 0, 1});
  Reader reader(packet);
  LoweredName name;
  reader.lowered_name(name);
  REQUIRE(reader.ok());
  const auto lowered = wire_of("www.example.");
  CHECK(std::vector<std::uint8_t>(name.wire().begin(), name.wire().end()) == lowered);
  CHECK(name.hash == name_hash(lowered));
  CHECK(reader.pos() == mixed.size());
  CHECK(reader.u16() == 1);
}

TEST_CASE("reader: lowered_name refuses pointers, bad label types, overruns and long names") {
  for (const auto& bytes : std::vector<std::vector<std::uint8_t>>{
           {3, 'w', 'w', 'w', 0xc0, 0},  // a compression pointer
           {0x40, 'a', 0},               // an extended label type
           {3, 'w', 'w'},                // the label runs past the end
           {3, 'w', 'w', 'w'},           // no terminating root label
           {},
       }) {
    Reader reader(bytes);
    LoweredName name;
    reader.lowered_name(name);
    CHECK_FALSE(reader.ok());
  }
  // Three labels of 63 and one of `last`, then the root: 255 bytes when last is 61.
  const auto name_of_size = [](std::uint8_t last) {
    std::vector<std::uint8_t> bytes;
    for (const std::uint8_t length : {std::uint8_t{63}, std::uint8_t{63}, std::uint8_t{63}, last}) {
      bytes.push_back(length);
      bytes.insert(bytes.end(), length, 'A');
    }
    bytes.push_back(0);
    return bytes;
  };
  const auto longest = name_of_size(61);
  REQUIRE(longest.size() == max_name_size);
  Reader reader(longest);
  LoweredName name;
  reader.lowered_name(name);
  CHECK(reader.ok());
  CHECK(name.size == max_name_size);
  CHECK(name.bytes[1] == 'a');
  const auto too_long = name_of_size(62);
  Reader long_reader(too_long);
  long_reader.lowered_name(name);
  CHECK_FALSE(long_reader.ok());
}

TEST_CASE("reader: name reports where a compression pointer was met") {
  std::vector<std::uint8_t> packet(12, 0);
  packet.insert(packet.end(), {3, 'c', 'o', 'm', 0, 3, 'w', 'w', 'w', 0xc0, 12});
  Reader reader(packet);
  reader.skip(12);
  WireName name;
  reader.name(name);
  CHECK(reader.last_pointer() == Reader::no_pointer);
  reader.name(name);
  CHECK(reader.last_pointer() == 21);
}
