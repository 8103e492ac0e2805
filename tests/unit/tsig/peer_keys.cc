// Test support: keys and captured requests (see peer_keys.hh).
#include "peer_keys.hh"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace tsig_test {

Key make_test_key(const std::string& algorithm, const std::string& name,
                  const std::string& secret) {
  std::string error;
  auto key =
      dnsd::tsig::make_key(name, algorithm, secret.empty() ? secret_of(algorithm) : secret, &error);
  REQUIRE_MESSAGE(key.has_value(), error);
  return *key;
}

std::vector<std::uint8_t> captured(const std::string& name) {
  const char* dir = std::getenv("DNSD_TSIG_CAPTURED");
  REQUIRE_MESSAGE(dir != nullptr,
                  "DNSD_TSIG_CAPTURED is not set: run through ctest (fixture unit.tsig.capture)");
  const std::string path = std::string(dir) + "/" + name + ".bin";
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "no capture " << path);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 12);
  return bytes;
}

std::chrono::sys_seconds signed_at(const std::vector<std::uint8_t>& message) {
  dnsd::tsig::Record record;
  REQUIRE(dnsd::tsig::find_record(message, record) == dnsd::tsig::Find::found);
  return std::chrono::sys_seconds(
      std::chrono::seconds(static_cast<std::int64_t>(record.time_signed)));
}

}  // namespace tsig_test

namespace tsig_test {

void start_response(std::span<const std::uint8_t> request, dnsd::wire::Writer& writer) {
  dnsd::wire::Reader reader(request);
  const auto header = reader.header();
  REQUIRE(header.qdcount == 1);
  dnsd::wire::WireName qname;
  reader.name(qname);
  reader.skip(4);
  REQUIRE(reader.ok());
  const std::uint16_t flags = 0x8400 | (header.flags & 0x7900);  // QR, AA; opcode and RD kept
  REQUIRE((writer.put_u16(header.id) && writer.put_u16(flags) && writer.put_u16(1) &&
           writer.put_u16(0) && writer.put_u16(0) && writer.put_u16(0)));
  REQUIRE(writer.put_bytes(request.subspan(12, reader.pos() - 12)));
}

}  // namespace tsig_test
