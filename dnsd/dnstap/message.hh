// One dnstap message (dnstap.proto: a Dnstap envelope around an AUTH_QUERY or AUTH_RESPONSE
// Message), packed by protobuf-c into the caller's buffer. No allocation, no I/O, no clock.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <span>
#include <string_view>

#include "dnsd/transport.hh"

namespace dnsd::dnstap {

enum class Kind : std::uint8_t { auth_query, auth_response };

struct Event {
  Kind kind = Kind::auth_query;
  Transport transport = Transport::udp;
  const sockaddr* peer = nullptr;  // the client (AF_INET or AF_INET6), its query_address/port
  timespec query_time{};
  timespec response_time{};               // AUTH_RESPONSE only
  std::span<const std::uint8_t> message;  // the query, or the response
};

// What every message of this server carries; an empty string is left out.
struct Envelope {
  std::string_view identity;
  std::string_view version;
};

// The packed size of the message; the bytes are written to `out` only when they fit.
std::size_t encode(const Envelope& envelope, const Event& event,
                   std::span<std::uint8_t> out) noexcept;

}  // namespace dnsd::dnstap
