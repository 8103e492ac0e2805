// wire/edns: reading a query's OPT record and Client Subnet option, writing the response's OPT.
#include <doctest/doctest.h>

#include <vector>

#include "dnsd/wire/edns.hh"
#include "dnsd/wire/reader.hh"

using namespace dnsd::wire;

namespace {

// An OPT record after its owner and TYPE: class (payload), TTL, rdlength, options.
std::vector<std::uint8_t> opt_body(std::uint16_t payload, std::uint8_t version, bool dnssec_ok,
                                   const std::vector<std::uint8_t>& options) {
  std::vector<std::uint8_t> body = {static_cast<std::uint8_t>(payload >> 8),
                                    static_cast<std::uint8_t>(payload),
                                    0,
                                    version,
                                    static_cast<std::uint8_t>(dnssec_ok ? 0x80 : 0),
                                    0,
                                    static_cast<std::uint8_t>(options.size() >> 8),
                                    static_cast<std::uint8_t>(options.size())};
  body.insert(body.end(), options.begin(), options.end());
  return body;
}

Edns read(const std::vector<std::uint8_t>& body, bool owner_is_root = true) {
  Reader reader(body);
  Edns edns;
  read_opt(reader, owner_is_root, edns);
  CHECK(reader.ok());
  CHECK(reader.remaining() == 0);
  return edns;
}

}  // namespace

TEST_CASE("edns: the payload size, version and DO bit are read, unknown options skipped") {
  const Edns edns = read(opt_body(4096, 0, true, {0xfd, 0xe9, 0, 2, 0xab, 0xcd}));  // option 65001
  CHECK(edns.present);
  CHECK_FALSE(edns.malformed);
  CHECK(edns.udp_payload == 4096);
  CHECK(edns.version == 0);
  CHECK(edns.dnssec_ok);
  CHECK_FALSE(edns.ecs.present);
  CHECK(read(opt_body(1232, 1, false, {})).version == 1);
}

TEST_CASE("edns: a Client Subnet option is kept with its address, zero-padded") {
  const Edns edns = read(opt_body(1232, 0, false, {0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2}));
  REQUIRE(edns.ecs.usable());
  CHECK(edns.ecs.family == 1);
  CHECK(edns.ecs.source_prefix == 24);
  CHECK(edns.ecs.address_length == 3);
  CHECK(edns.ecs.address[2] == 2);
  CHECK(edns.ecs.address[3] == 0);
  CHECK(edns.ecs.option_size() == 11);
}

TEST_CASE("edns: Client Subnet that breaks RFC 7871 is malformed, the OPT itself is not") {
  for (const auto& option : std::vector<std::vector<std::uint8_t>>{
           {0, 8, 0, 7, 0, 3, 24, 0, 192, 0, 2},     // unknown family
           {0, 8, 0, 7, 0, 1, 33, 0, 192, 0, 2},     // prefix longer than IPv4
           {0, 8, 0, 7, 0, 1, 24, 8, 192, 0, 2},     // SCOPE set in a query
           {0, 8, 0, 8, 0, 1, 24, 0, 192, 0, 2, 0},  // more address bytes than the prefix needs
           {0, 8, 0, 7, 0, 1, 23, 0, 192, 0, 3},     // a bit set past the prefix
           {0, 8, 0, 2, 0, 1},                       // too short for its fixed part
       }) {
    CAPTURE(option.size());
    const Edns edns = read(opt_body(1232, 0, false, option));
    CHECK(edns.ecs.present);
    CHECK(edns.ecs.malformed);
    CHECK_FALSE(edns.ecs.usable());
    CHECK_FALSE(edns.malformed);
  }
  const std::vector<std::uint8_t> one = {0, 8, 0, 4, 0, 1, 0, 0};
  std::vector<std::uint8_t> twice = one;
  twice.insert(twice.end(), one.begin(), one.end());
  CHECK(read(opt_body(1232, 0, false, twice)).ecs.malformed);  // one ECS option per query
}

TEST_CASE("edns: a second OPT, a non-root owner and an overrunning option are malformed") {
  CHECK(read(opt_body(1232, 0, false, {}), false).malformed);
  const auto body = opt_body(1232, 0, false, {});
  std::vector<std::uint8_t> two = body;
  two.insert(two.end(), body.begin(), body.end());
  Reader reader(two);
  Edns edns;
  read_opt(reader, true, edns);
  CHECK_FALSE(edns.malformed);
  read_opt(reader, true, edns);
  CHECK(edns.malformed);
  // rdlength 5: an option header of 4 and one byte that cannot be an option.
  auto overrun = opt_body(1232, 0, false, {0, 10, 0, 0, 7});
  Reader short_reader(overrun);
  Edns bad;
  read_opt(short_reader, true, bad);
  CHECK(bad.malformed);
}

TEST_CASE(
    "edns: the response's OPT carries our payload, the upper rcode bits, DO and the ECS scope") {
  Edns query = read(opt_body(4096, 0, true, {}));
  std::array<std::uint8_t, max_opt_size> out{};
  REQUIRE(write_opt(out.data(), 1232, query, 16, 0) == opt_rr_size);  // BADVERS
  CHECK(std::vector<std::uint8_t>(out.begin(), out.begin() + opt_rr_size) ==
        std::vector<std::uint8_t>{0, 0, 41, 0x04, 0xd0, 1, 0, 0x80, 0, 0, 0});

  query = read(opt_body(1232, 0, false, {0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2}));
  REQUIRE(opt_size(query) == opt_rr_size + 11);
  REQUIRE(write_opt(out.data(), 1232, query, 0, 16) == opt_size(query));
  CHECK(std::vector<std::uint8_t>(out.begin() + 9, out.begin() + opt_size(query)) ==
        std::vector<std::uint8_t>{0, 11, 0, 8, 0, 7, 0, 1, 24, 16, 192, 0, 2});
}

TEST_CASE("edns: a COOKIE option keeps its client and server cookie; RFC 7873 lengths only") {
  std::vector<std::uint8_t> option = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  Edns edns = read(opt_body(1232, 0, false, option));
  REQUIRE(edns.cookie.usable());
  CHECK(edns.cookie.client == std::array<std::uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(edns.cookie.server_cookie().empty());
  CHECK(opt_size(edns) == opt_rr_size + cookie_answer_size);

  option[3] = 24;
  for (std::uint8_t i = 0; i < 16; ++i) option.push_back(static_cast<std::uint8_t>(0xa0 + i));
  edns = read(opt_body(1232, 0, false, option));
  REQUIRE(edns.cookie.usable());
  REQUIRE(edns.cookie.server_cookie().size() == 16);
  CHECK(edns.cookie.server_cookie()[15] == 0xaf);

  for (const std::uint8_t length : {0, 7, 9, 15, 41}) {
    CAPTURE(length);
    std::vector<std::uint8_t> bad = {0, 10, 0, length};
    bad.resize(4 + length, 1);
    const Edns e = read(opt_body(1232, 0, false, bad));
    CHECK(e.cookie.malformed);
    CHECK_FALSE(e.malformed);  // the OPT is fine; the option earns FORMERR
  }
  std::vector<std::uint8_t> two = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  two.insert(two.end(), two.begin(), two.end());
  CHECK(read(opt_body(1232, 0, false, two)).cookie.malformed);
}

TEST_CASE("edns: the response's COOKIE echoes the client cookie beside the server cookie") {
  const Edns query = read(opt_body(1232, 0, false, {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}));
  std::array<std::uint8_t, 16> server{};
  server.fill(0x55);
  std::array<std::uint8_t, max_opt_size> out{};
  REQUIRE(write_opt(out.data(), 1232, query, 0, 0, server) == opt_size(query));
  CHECK(out[9] == 0);
  CHECK(out[10] == cookie_answer_size);  // RDLENGTH
  CHECK(std::vector<std::uint8_t>(out.begin() + 11, out.begin() + 19) ==
        std::vector<std::uint8_t>{0, 10, 0, 24, 1, 2, 3, 4});
  CHECK(out[opt_size(query) - 1] == 0x55);
  // No server cookie given (cookies off, or FORMERR): no COOKIE at all.
  REQUIRE(write_opt(out.data(), 1232, query, 1, 0) == opt_rr_size);
  CHECK(out[10] == 0);
}
