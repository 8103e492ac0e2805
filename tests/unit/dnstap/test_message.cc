// dnstap messages: what encode() packs, read back by protobuf-c's generated unpacker.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "dnsd/dnstap/dnstap.pb-c.h"
#include "dnsd/dnstap/message.hh"

using namespace dnsd;
using namespace dnsd::dnstap;

namespace {

const std::array<std::uint8_t, 12> k_query{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};

std::string text(const ProtobufCBinaryData& data) {
  return {reinterpret_cast<const char*>(data.data), data.len};
}

struct Unpacked {
  explicit Unpacked(const std::vector<std::uint8_t>& bytes)
      : frame(dnstap__dnstap__unpack(nullptr, bytes.size(), bytes.data())) {}
  ~Unpacked() {
    if (frame) dnstap__dnstap__free_unpacked(frame, nullptr);
  }
  Dnstap__Dnstap* frame;
};

std::vector<std::uint8_t> pack(const Envelope& envelope, const Event& event) {
  std::vector<std::uint8_t> out(4096);
  out.resize(encode(envelope, event, out));
  return out;
}

}  // namespace

TEST_CASE("an AUTH_QUERY carries the client's IPv4 address and port, the time and the query") {
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(40053);
  inet_pton(AF_INET, "192.0.2.9", &peer.sin_addr);
  Event event{Kind::auth_query,
              Transport::udp,
              reinterpret_cast<const sockaddr*>(&peer),
              {1700000000, 123456789},
              {},
              k_query};
  const Unpacked got(pack({"ns1", "dnsd 0.1.0"}, event));
  REQUIRE(got.frame);
  CHECK(got.frame->type == DNSTAP__DNSTAP__TYPE__MESSAGE);
  CHECK(text(got.frame->identity) == "ns1");
  CHECK(text(got.frame->version) == "dnsd 0.1.0");
  const Dnstap__Message& m = *got.frame->message;
  CHECK(m.type == DNSTAP__MESSAGE__TYPE__AUTH_QUERY);
  CHECK(m.socket_family == DNSTAP__SOCKET_FAMILY__INET);
  CHECK(m.socket_protocol == DNSTAP__SOCKET_PROTOCOL__UDP);
  REQUIRE(m.query_address.len == 4);
  CHECK(std::memcmp(m.query_address.data, &peer.sin_addr, 4) == 0);
  CHECK(m.query_port == 40053);
  CHECK(m.query_time_sec == 1700000000);
  CHECK(m.query_time_nsec == 123456789);
  REQUIRE(m.has_query_message);
  CHECK(m.query_message.len == k_query.size());
  CHECK_FALSE(m.has_response_message);
  CHECK_FALSE(m.has_response_time_sec);
}

TEST_CASE("an AUTH_RESPONSE over TCP/IPv6 carries both times and the response, not the query") {
  sockaddr_in6 peer{};
  peer.sin6_family = AF_INET6;
  peer.sin6_port = htons(5300);
  inet_pton(AF_INET6, "2001:db8::1", &peer.sin6_addr);
  Event event{Kind::auth_response,
              Transport::tcp,
              reinterpret_cast<const sockaddr*>(&peer),
              {10, 1},
              {10, 2},
              k_query};
  const Unpacked got(pack({}, event));
  REQUIRE(got.frame);
  CHECK_FALSE(got.frame->has_identity);  // empty: left out
  CHECK_FALSE(got.frame->has_version);
  const Dnstap__Message& m = *got.frame->message;
  CHECK(m.type == DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE);
  CHECK(m.socket_family == DNSTAP__SOCKET_FAMILY__INET6);
  CHECK(m.socket_protocol == DNSTAP__SOCKET_PROTOCOL__TCP);
  REQUIRE(m.query_address.len == 16);
  CHECK(std::memcmp(m.query_address.data, &peer.sin6_addr, 16) == 0);
  CHECK(m.query_port == 5300);
  CHECK(m.query_time_nsec == 1);
  CHECK(m.response_time_sec == 10);
  CHECK(m.response_time_nsec == 2);
  CHECK(m.has_response_message);
  CHECK_FALSE(m.has_query_message);
}

TEST_CASE("a buffer too small is left untouched and the size needed is returned") {
  Event event{Kind::auth_query, Transport::udp, nullptr, {}, {}, k_query};
  std::array<std::uint8_t, 8> small;
  small.fill(0xAA);
  const std::size_t needed = encode({"identity"}, event, small);
  CHECK(needed > small.size());
  for (const auto byte : small) CHECK(byte == 0xAA);
  std::vector<std::uint8_t> big(needed);
  CHECK(encode({"identity"}, event, big) == needed);
}

TEST_CASE("packing at once and sizing first give the same bytes, at every message size") {
  sockaddr_in6 peer{};
  peer.sin6_family = AF_INET6;
  peer.sin6_port = htons(65535);
  std::vector<std::uint8_t> message(70000, 0x5A);
  const std::string label(255, 'x');
  for (const std::size_t size : {0u, 1u, 127u, 128u, 16383u, 16384u, 65535u}) {
    Event event{Kind::auth_response,
                Transport::tcp,
                reinterpret_cast<const sockaddr*>(&peer),
                {0x7FFFFFFFFFFFFFFF, 999999999},
                {0x7FFFFFFFFFFFFFFF, 999999999},
                std::span(message.data(), size)};
    const Envelope envelope{label, label};
    const std::size_t needed = encode(envelope, event, {});
    std::vector<std::uint8_t> exact(needed), roomy(needed + 1024);
    CHECK(encode(envelope, event, exact) == needed);  // sized first: just fits
    CHECK(encode(envelope, event, roomy) == needed);  // packed at once
    CHECK(std::equal(exact.begin(), exact.end(), roomy.begin()));
  }
}
