// dnstap messages packed with protobuf-c: the structs are filled on the stack and point into
// the caller's bytes (nothing is copied but by pack itself), as Knot's dnstap module does.
#include "dnsd/dnstap/message.hh"

#include <netinet/in.h>

#include "dnsd/dnstap/dnstap.pb-c.h"

namespace dnsd::dnstap {

namespace {

// More than every field's tag, length and value take besides the DNS message, the identity and
// the version (about 90 bytes: two 10-byte seconds, a 16-byte address, nested lengths).
constexpr std::size_t k_overhead = 128;

ProtobufCBinaryData bytes(const void* data, std::size_t size) noexcept {
  // protobuf-c's field is not const, but pack only reads it.
  return {size, static_cast<std::uint8_t*>(const_cast<void*>(data))};
}

// The client's address and port; false for a family dnstap has no name for.
bool set_peer(Dnstap__Message& message, const sockaddr* peer) noexcept {
  if (peer->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(peer);
    message.socket_family = DNSTAP__SOCKET_FAMILY__INET;
    message.query_address = bytes(&in->sin_addr, 4);
    message.query_port = ntohs(in->sin_port);
  } else if (peer->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(peer);
    message.socket_family = DNSTAP__SOCKET_FAMILY__INET6;
    message.query_address = bytes(&in6->sin6_addr, 16);
    message.query_port = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  message.has_socket_family = message.has_query_address = message.has_query_port = true;
  return true;
}

}  // namespace

std::size_t encode(const Envelope& envelope, const Event& event,
                   std::span<std::uint8_t> out) noexcept {
  Dnstap__Message message = DNSTAP__MESSAGE__INIT;
  const bool query = event.kind == Kind::auth_query;
  message.type = query ? DNSTAP__MESSAGE__TYPE__AUTH_QUERY : DNSTAP__MESSAGE__TYPE__AUTH_RESPONSE;
  message.has_socket_protocol = true;
  message.socket_protocol = event.transport == Transport::udp ? DNSTAP__SOCKET_PROTOCOL__UDP
                                                              : DNSTAP__SOCKET_PROTOCOL__TCP;
  if (event.peer) set_peer(message, event.peer);
  // The query time in both, so that a reader can match a response to its query.
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
  // When the message surely fits, pack at once: sizing it first walks every field a second time.
  if (event.message.size() + envelope.identity.size() + envelope.version.size() + k_overhead <=
      out.size())
    return dnstap__dnstap__pack(&frame, out.data());
  const std::size_t size = dnstap__dnstap__get_packed_size(&frame);
  if (size <= out.size()) dnstap__dnstap__pack(&frame, out.data());
  return size;
}

}  // namespace dnsd::dnstap
