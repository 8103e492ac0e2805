// dnstap messages in protobuf's wire format, written field by field into the caller's buffer.
// protobuf-c's generic packer (reflection over field descriptors, each nested message sized
// twice) cost about 1,400 instructions per message, more than answering the query (measured
// with callgrind, bench/results/dnstap.md); these few fields cost a tenth of that. The
// generated protobuf-c code stays the reference: the unit tests check that both give the same
// bytes, and read ours back with it.
#include "dnsd/dnstap/message.hh"

#include <netinet/in.h>

#include <cstring>

namespace dnsd::dnstap {

namespace {

// Field numbers and enum values of dnstap.proto.
enum : std::uint32_t {
  dnstap_identity = 1,
  dnstap_version = 2,
  dnstap_message = 14,
  dnstap_type = 15,
  message_type = 1,
  message_socket_family = 2,
  message_socket_protocol = 3,
  message_query_address = 4,
  message_query_port = 6,
  message_query_time_sec = 8,
  message_query_time_nsec = 9,
  message_query_message = 10,
  message_response_time_sec = 12,
  message_response_time_nsec = 13,
  message_response_message = 14,
};
enum : std::uint64_t { varint = 0, length_delimited = 2, fixed32 = 5 };
constexpr std::uint64_t type_message = 1, type_auth_query = 1, type_auth_response = 2;
constexpr std::uint64_t family_inet = 1, family_inet6 = 2, protocol_udp = 1, protocol_tcp = 2;

std::size_t varint_size(std::uint64_t value) noexcept {
  std::size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

// Writes fields at `at` (sizes were checked before); also measures them, with at == nullptr.
struct Out {
  std::uint8_t* at;
  std::size_t size = 0;

  void raw(const void* data, std::size_t length) noexcept {
    if (at) {
      if (length) std::memcpy(at + size, data, length);
    }
    size += length;
  }
  void number(std::uint64_t value) noexcept {
    if (!at) {
      size += varint_size(value);
      return;
    }
    while (value >= 0x80) {
      at[size++] = static_cast<std::uint8_t>(value | 0x80);
      value >>= 7;
    }
    at[size++] = static_cast<std::uint8_t>(value);
  }
  void key(std::uint32_t field, std::uint64_t wire_type) noexcept {
    number(std::uint64_t{field} << 3 | wire_type);
  }
  void field_varint(std::uint32_t field, std::uint64_t value) noexcept {
    key(field, varint);
    number(value);
  }
  void field_fixed32(std::uint32_t field, std::uint32_t value) noexcept {
    key(field, fixed32);
    const std::uint8_t bytes[4] = {
        static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8),
        static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 24)};
    raw(bytes, 4);
  }
  void field_bytes(std::uint32_t field, const void* data, std::size_t length) noexcept {
    key(field, length_delimited);
    number(length);
    raw(data, length);
  }
};

// The Message's fields, in field-number order (as protobuf-c writes them).
void put_message(Out& out, const Event& event) noexcept {
  const bool query = event.kind == Kind::auth_query;
  out.field_varint(message_type, query ? type_auth_query : type_auth_response);
  const sockaddr* peer = event.peer;
  const bool v4 = peer && peer->sa_family == AF_INET;
  const bool v6 = peer && peer->sa_family == AF_INET6;
  if (v4 || v6) out.field_varint(message_socket_family, v4 ? family_inet : family_inet6);
  out.field_varint(message_socket_protocol,
                   event.transport == Transport::udp ? protocol_udp : protocol_tcp);
  if (v4) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(peer);
    out.field_bytes(message_query_address, &in->sin_addr, 4);
    out.field_varint(message_query_port, ntohs(in->sin_port));
  } else if (v6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(peer);
    out.field_bytes(message_query_address, &in6->sin6_addr, 16);
    out.field_varint(message_query_port, ntohs(in6->sin6_port));
  }
  // The query time in both, so that a reader can match a response to its query.
  out.field_varint(message_query_time_sec, static_cast<std::uint64_t>(event.query_time.tv_sec));
  out.field_fixed32(message_query_time_nsec, static_cast<std::uint32_t>(event.query_time.tv_nsec));
  if (query) {
    out.field_bytes(message_query_message, event.message.data(), event.message.size());
  } else {
    out.field_varint(message_response_time_sec,
                     static_cast<std::uint64_t>(event.response_time.tv_sec));
    out.field_fixed32(message_response_time_nsec,
                      static_cast<std::uint32_t>(event.response_time.tv_nsec));
    out.field_bytes(message_response_message, event.message.data(), event.message.size());
  }
}

// The Dnstap envelope around a Message of `message_size` bytes; put_message writes the rest.
void put_envelope(Out& out, const Envelope& envelope, std::size_t message_size) noexcept {
  if (!envelope.identity.empty())
    out.field_bytes(dnstap_identity, envelope.identity.data(), envelope.identity.size());
  if (!envelope.version.empty())
    out.field_bytes(dnstap_version, envelope.version.data(), envelope.version.size());
  out.key(dnstap_message, length_delimited);
  out.number(message_size);
}

}  // namespace

std::size_t encode(const Envelope& envelope, const Event& event,
                   std::span<std::uint8_t> out) noexcept {
  Out measure{nullptr};
  put_message(measure, event);
  const std::size_t message_size = measure.size;
  put_envelope(measure, envelope, message_size);
  measure.field_varint(dnstap_type, type_message);
  if (measure.size > out.size()) return measure.size;
  Out write{out.data()};
  put_envelope(write, envelope, message_size);
  put_message(write, event);
  write.field_varint(dnstap_type, type_message);
  return write.size;
}

}  // namespace dnsd::dnstap
