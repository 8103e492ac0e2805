// Ethernet frames to and from the DNS payload they carry, for the AF_XDP path (xdp_server.hh):
// a UDP query over IPv4 or IPv6 is found in a received frame, and the answer is written back
// into the same frame with the addresses and ports swapped and fresh checksums. Pure functions
// over bytes: no socket, no allocation, so they are unit-tested and fuzzed directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace dnsd::xdp {

constexpr std::size_t k_ethernet_header = 14;
constexpr std::size_t k_ipv4_header = 20;  // without options: a query with options is dropped
constexpr std::size_t k_ipv6_header = 40;
constexpr std::size_t k_udp_header = 8;

// Where the query is in a received frame, and who sent it.
struct Query {
  bool ipv6 = false;
  std::size_t payload_at = 0;  // offset of the DNS message in the frame
  std::size_t payload_size = 0;
  std::uint8_t source[16] = {};  // the client's address (4 bytes used for IPv4)
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
};

// The UDP datagram in `frame` (Ethernet II, IPv4 without options or IPv6 with UDP as its first
// next header, not a fragment). False for anything else, and for frames whose lengths do not
// add up or whose IPv4 header checksum is wrong. The UDP checksum is not checked: a frame from
// a local sender (veth) carries only the partial sum its offload left.
bool parse_query(std::span<const std::uint8_t> frame, Query& query) noexcept;

// Bytes of headers an answer needs in front of its payload.
constexpr std::size_t header_size(bool ipv6) noexcept {
  return k_ethernet_header + (ipv6 ? k_ipv6_header : k_ipv4_header) + k_udp_header;
}

// Turns the query frame into its answer: MAC addresses, IP addresses and ports swapped, lengths
// and checksums (IPv4 header, UDP) written for a payload of `payload_size` bytes already placed
// at query.payload_at. Returns the frame's new length.
std::size_t build_answer(std::uint8_t* frame, const Query& query,
                         std::size_t payload_size) noexcept;

}  // namespace dnsd::xdp
