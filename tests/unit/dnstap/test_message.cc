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

// protobuf-c's generated packer, filled as the dnstap docs describe: the reference bytes.
static std::vector<std::uint8_t> reference(const Envelope& envelope, const Event& event) {
  Dnstap__Message message = DNSTAP__MESSAGE__INIT;
  const bool query = event.kind == Kind::auth_query;
  message.type = query ? DNSTAP__MESSAGE__TYPE__AUTH_QUERY : DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
  message.has_socket_protocol = true;
  message.socket_protocol = event.transport == Transport::udp ? DNSTAP__SOCKET_PROTOCOL__UDP
                                                              : DNSTAP__SOCKET_PROTOCOL__TCP;
  auto bytes = [](const void* data, std::size_t size) {
    return ProtobufCBinaryData{size, static_cast<std::uint8_t*>(const_cast<void*>(data))};
  };
  if (event.peer && event.peer->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(event.peer);
    message.socket_family = DNSTAP__SOCKET_FAMILY__INET;
    message.query_address = bytes(&in->sin_addr, 4);
    message.query_port = ntohs(in->sin_port);
    message.has_socket_family = message.has_query_address = message.has_query_port = true;
  } else if (event.peer && event.peer->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(event.peer);
    message.socket_family = DNSTAP__SOCKET_FAMILY__INET6;
    message.query_address = bytes(&in6->sin6_addr, 16);
    message.query_port = ntohs(in6->sin6_port);
    message.has_socket_family = message.has_query_address = message.has_query_port = true;
  }
  message.has_query_time_sec = message.has_query_time_nsec = true;
  message.query_time_sec = static_cast<std::uint64_t>(event.query_time.tv_sec);
  message.query_time_nsec = static_cast<std::uint32_t>(event.query_time.tv_nsec);
  if (query) {
    message.has_query_message = true;
    message.query_message = bytes(event.message.data(), event.message.size());
  } else {
    message.has_response_time_sec = message.has_response_time_nsec = true;
    message.response_time_sec = static_cast<std::uint64_t>(event.response_time.tv_sec);
    message.response_time_nsec = static_cast<std::uint32_t>(event.response_time.tv_nsec);
    message.has_response_message = true;
    message.response_message = bytes(event.message.data(), event.message.size());
  }
  Dnstap__Dnstap frame = DNSTAP__DNSTAP__INIT;
  frame.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
  frame.message = &message;
  if (!envelope.identity.empty()) {
    frame.has_identity = true;
    frame.identity = bytes(envelope.identity.data(), envelope.identity.size());
  }
  if (!envelope.version.empty()) {
    frame.has_version = true;
    frame.version = bytes(envelope.version.data(), envelope.version.size());
  }
  std::vector<std::uint8_t> out(dnstap__dnstap__get_packed_size(&frame));
  dnstap__dnstap__pack(&frame, out.data());
  return out;
}

TEST_CASE("our bytes are protobuf-c's, for every kind, family, size and time") {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(53);
  inet_pton(AF_INET, "198.51.100.7", &v4.sin_addr);
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(65535);
  inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr);
  const sockaddr* peers[] = {reinterpret_cast<const sockaddr*>(&v4),
                             reinterpret_cast<const sockaddr*>(&v6), nullptr};
  const timespec times[] = {{0, 0}, {1700000000, 999999999}, {0x7FFFFFFFFFFFFFFF, 1}};
  std::vector<std::uint8_t> message(70000);
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(i * 7);
  const std::string label(255, 'x');
  const Envelope envelopes[] = {{}, {"ns1", ""}, {"", "dnsd 0.1.0"}, {label, label}};
  int checked = 0;
  for (const Kind kind : {Kind::auth_query, Kind::auth_response})
    for (const Transport transport : {Transport::udp, Transport::tcp})
      for (const sockaddr* peer : peers)
        for (const timespec& time : times)
          for (const std::size_t size : {0u, 1u, 127u, 128u, 16383u, 16384u, 65535u})
            for (const Envelope& envelope : envelopes) {
              const Event event{kind, transport, peer, time, time, std::span(message.data(), size)};
              const std::vector<std::uint8_t> expected = reference(envelope, event);
              std::vector<std::uint8_t> ours(expected.size() + 8, 0xEE);
              REQUIRE(encode(envelope, event, ours) == expected.size());
              CHECK(std::equal(expected.begin(), expected.end(), ours.begin()));
              CHECK(ours[expected.size()] == 0xEE);  // nothing written past the end
              std::vector<std::uint8_t> exact(expected.size());
              CHECK(encode(envelope, event, exact) == expected.size());  // just fits
              CHECK(exact == expected);
              ++checked;
            }
  CHECK(checked == 2 * 2 * 3 * 3 * 7 * 4);
}
