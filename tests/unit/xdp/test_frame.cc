// Frames of the AF_XDP path (dnsd/xdp/frame.hh): queries found in IPv4 and IPv6 frames, answers
// written back with swapped addresses and checksums that a receiver's check accepts, and every
// frame that is not a plain UDP datagram refused.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "dnsd/xdp/frame.hh"

namespace {

using dnsd::xdp::Query;
using Bytes = std::vector<std::uint8_t>;

const Bytes k_client_mac{2, 0, 0, 0, 0, 1}, k_server_mac{2, 0, 0, 0, 0, 2};
const Bytes k_payload{0x12, 0x34, 0x01, 0x00, 0,   1, 0, 0, 0, 0, 0,
                      0,    3,    'w',  'w',  'w', 0, 0, 1, 0, 1};

void put16(Bytes& b, std::size_t at, unsigned v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
unsigned get16(const Bytes& b, std::size_t at) { return b[at] << 8 | b[at + 1]; }

// RFC 1071, written out again here so the test does not trust the code under test.
unsigned checksum(const std::uint8_t* data, std::size_t size, std::uint32_t acc = 0) {
  for (std::size_t i = 0; i + 1 < size; i += 2) acc += data[i] << 8 | data[i + 1];
  if (size % 2) acc += data[size - 1] << 8;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return ~acc & 0xffff;
}

// A query frame from the client (port 40000) to the server (port 53).
Bytes query_frame(bool ipv6, const Bytes& payload = k_payload) {
  const std::size_t ip = ipv6 ? 40 : 20, udp_size = 8 + payload.size();
  Bytes f(14 + ip + udp_size);
  std::copy(k_server_mac.begin(), k_server_mac.end(), f.begin());
  std::copy(k_client_mac.begin(), k_client_mac.end(), f.begin() + 6);
  put16(f, 12, ipv6 ? 0x86dd : 0x0800);
  std::uint8_t* h = f.data() + 14;
  if (ipv6) {
    h[0] = 0x60;
    put16(f, 18, static_cast<unsigned>(udp_size));
    h[6] = 17;
    h[7] = 64;
    h[23] = 1;  // source fd00::1
    h[8] = h[24] = 0xfd;
    h[39] = 2;  // destination fd00::2
  } else {
    h[0] = 0x45;
    put16(f, 16, static_cast<unsigned>(20 + udp_size));
    put16(f, 20, 0x4000);
    h[8] = 64;
    h[9] = 17;
    const std::uint8_t src[4]{10, 0, 0, 1}, dst[4]{10, 0, 0, 2};
    std::copy(src, src + 4, h + 12);
    std::copy(dst, dst + 4, h + 16);
    put16(f, 24, checksum(h, 20));
  }
  const std::size_t u = 14 + ip;
  put16(f, u, 40000);
  put16(f, u + 2, 53);
  put16(f, u + 4, static_cast<unsigned>(udp_size));
  std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(u + 8));
  return f;
}

// The receiver's check of a UDP checksum: the sum over pseudo-header and datagram is 0xffff.
bool udp_checksum_ok(const Bytes& f, bool ipv6) {
  const std::size_t ip = 14, u = ip + (ipv6 ? 40 : 20);
  const std::size_t udp_size = get16(f, u + 4);
  std::uint32_t pseudo = static_cast<std::uint32_t>(udp_size) + 17;
  const std::size_t addresses = ipv6 ? ip + 8 : ip + 12, length = ipv6 ? 32 : 8;
  for (std::size_t i = 0; i < length; i += 2) pseudo += get16(f, addresses + i);
  return get16(f, u + 6) != 0 && checksum(f.data() + u, udp_size, pseudo) == 0;
}

}  // namespace

TEST_CASE("A UDP query over IPv4 is found, with its source address and ports") {
  const Bytes f = query_frame(false);
  Query q;
  REQUIRE(dnsd::xdp::parse_query(f, q));
  CHECK_FALSE(q.ipv6);
  CHECK(q.payload_at == 42);
  CHECK(q.payload_size == k_payload.size());
  CHECK(q.source[0] == 10);
  CHECK(q.source[3] == 1);
  CHECK(q.source_port == 40000);
  CHECK(q.destination_port == 53);
}

TEST_CASE("A UDP query over IPv6 is found, with its source address and ports") {
  const Bytes f = query_frame(true);
  Query q;
  REQUIRE(dnsd::xdp::parse_query(f, q));
  CHECK(q.ipv6);
  CHECK(q.payload_at == 62);
  CHECK(q.payload_size == k_payload.size());
  CHECK(q.source[0] == 0xfd);
  CHECK(q.source[15] == 1);
}

TEST_CASE("An answer goes back to the sender with checksums a receiver accepts") {
  for (const bool ipv6 : {false, true}) {
    CAPTURE(ipv6);
    Bytes f = query_frame(ipv6);
    Query q;
    REQUIRE(dnsd::xdp::parse_query(f, q));
    // An answer longer than the query, and of odd length (the checksum's padding byte).
    const Bytes answer(101, 0xab);
    f.resize(q.payload_at + answer.size());
    std::copy(answer.begin(), answer.end(), f.begin() + static_cast<long>(q.payload_at));
    const std::size_t size = dnsd::xdp::build_answer(f.data(), q, answer.size());
    CHECK(size == f.size());
    CHECK(Bytes(f.begin(), f.begin() + 6) == k_client_mac);
    CHECK(Bytes(f.begin() + 6, f.begin() + 12) == k_server_mac);
    const std::size_t u = 14 + (ipv6 ? 40 : 20);
    CHECK(get16(f, u) == 53);
    CHECK(get16(f, u + 2) == 40000);
    CHECK(get16(f, u + 4) == 8 + answer.size());
    if (ipv6) {
      CHECK(get16(f, 18) == 8 + answer.size());
      CHECK(f[14 + 23] == 2);  // source is now the server
      CHECK(f[14 + 39] == 1);
    } else {
      CHECK(get16(f, 16) == 20 + 8 + answer.size());
      CHECK(checksum(f.data() + 14, 20) == 0);
      CHECK(f[14 + 15] == 2);
      CHECK(f[14 + 19] == 1);
    }
    CHECK(udp_checksum_ok(f, ipv6));
    // And the answer parses as a datagram again, the roles swapped.
    Query back;
    REQUIRE(dnsd::xdp::parse_query(f, back));
    CHECK(back.source_port == 53);
    CHECK(back.payload_size == answer.size());
  }
}

TEST_CASE("Short, malformed and foreign frames are refused") {
  Query q;
  for (const bool ipv6 : {false, true}) {
    CAPTURE(ipv6);
    const Bytes good = query_frame(ipv6);
    const std::size_t ip = 14, u = ip + (ipv6 ? 40 : 20);
    for (std::size_t cut = 0; cut < u + 8; ++cut)  // every truncation before the payload
      CHECK_FALSE(dnsd::xdp::parse_query(std::span(good).first(cut), q));
    Bytes f = good;
    put16(f, u + 4, 7);  // a UDP length below its header
    CHECK_FALSE(dnsd::xdp::parse_query(f, q));
    f = good;
    put16(f, u + 4, get16(f, u + 4) + 1);  // a UDP length past the IP payload
    CHECK_FALSE(dnsd::xdp::parse_query(f, q));
    f = good;
    f[ipv6 ? ip + 6 : ip + 9] = 6;  // TCP
    CHECK_FALSE(dnsd::xdp::parse_query(f, q));
    f = good;
    put16(f, 12, 0x8100);  // a VLAN tag
    CHECK_FALSE(dnsd::xdp::parse_query(f, q));
    f = good;
    put16(f, 12, 0x0806);  // ARP
    CHECK_FALSE(dnsd::xdp::parse_query(f, q));
  }
  const Bytes v4 = query_frame(false);
  Bytes f = v4;
  f[14 + 10] ^= 1;  // a wrong IPv4 header checksum
  CHECK_FALSE(dnsd::xdp::parse_query(f, q));
  f = v4;
  put16(f, 14 + 6, 0x2000);  // more fragments
  CHECK_FALSE(dnsd::xdp::parse_query(f, q));
  f = v4;
  f[14] = 0x46;  // IPv4 options
  CHECK_FALSE(dnsd::xdp::parse_query(f, q));
  f = v4;
  put16(f, 14 + 2, static_cast<unsigned>(v4.size()));  // a total length past the frame
  CHECK_FALSE(dnsd::xdp::parse_query(f, q));
  f = query_frame(true);
  f[14] = 0x40;  // version 4 in an IPv6 frame
  CHECK_FALSE(dnsd::xdp::parse_query(f, q));
}

TEST_CASE("Padding after the datagram is not taken for payload") {
  Bytes f = query_frame(false);
  f.resize(f.size() + 10, 0);  // Ethernet padding to the minimum frame
  Query q;
  REQUIRE(dnsd::xdp::parse_query(f, q));
  CHECK(q.payload_size == k_payload.size());
}
