// Frame parsing and building for the AF_XDP path (see frame.hh). Byte offsets rather than
// packed structs: the frame may sit at any alignment in the UMEM.
#include "dnsd/xdp/frame.hh"

#include <cstring>

namespace dnsd::xdp {

namespace {

constexpr std::uint16_t k_ethertype_ipv4 = 0x0800;
constexpr std::uint16_t k_ethertype_ipv6 = 0x86dd;
constexpr std::uint8_t k_protocol_udp = 17;

std::uint16_t get16(const std::uint8_t* at) noexcept {
  return static_cast<std::uint16_t>(at[0] << 8 | at[1]);
}

void put16(std::uint8_t* at, std::uint16_t value) noexcept {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

// The ones' complement sum of RFC 1071, not yet folded.
std::uint32_t sum(const std::uint8_t* data, std::size_t size, std::uint32_t acc = 0) noexcept {
  for (; size > 1; data += 2, size -= 2) acc += get16(data);
  if (size) acc += static_cast<std::uint32_t>(data[0]) << 8;
  return acc;
}

std::uint16_t fold(std::uint32_t acc) noexcept {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc);
}

void swap_bytes(std::uint8_t* a, std::uint8_t* b, std::size_t size) noexcept {
  std::uint8_t held[16];
  std::memcpy(held, a, size);
  std::memcpy(a, b, size);
  std::memcpy(b, held, size);
}

// The UDP header and payload at `udp`, after the IP header's checks.
bool parse_udp(const std::uint8_t* udp, std::size_t available, std::size_t ip_says,
               Query& query) noexcept {
  if (ip_says < k_udp_header || ip_says > available) return false;
  const std::size_t length = get16(udp + 4);
  if (length < k_udp_header || length > ip_says) return false;
  query.source_port = get16(udp);
  query.destination_port = get16(udp + 2);
  query.payload_size = length - k_udp_header;
  return true;
}

}  // namespace

bool parse_query(std::span<const std::uint8_t> frame, Query& query) noexcept {
  query = {};
  if (frame.size() < k_ethernet_header) return false;
  const std::uint8_t* ip = frame.data() + k_ethernet_header;
  const std::size_t rest = frame.size() - k_ethernet_header;
  switch (get16(frame.data() + 12)) {
    case k_ethertype_ipv4: {
      // Options (IHL > 5) are legal but no resolver sends them; fragments go to the kernel,
      // which the XDP program already does, so neither is expected here.
      if (rest < k_ipv4_header || ip[0] != 0x45 || ip[9] != k_protocol_udp) return false;
      if ((get16(ip + 6) & 0x3fff) != 0) return false;  // MF set or an offset: a fragment
      if (fold(sum(ip, k_ipv4_header)) != 0) return false;
      const std::size_t total = get16(ip + 2);
      if (total < k_ipv4_header || total > rest) return false;
      std::memcpy(query.source, ip + 12, 4);
      if (!parse_udp(ip + k_ipv4_header, rest - k_ipv4_header, total - k_ipv4_header, query))
        return false;
      query.payload_at = k_ethernet_header + k_ipv4_header + k_udp_header;
      return true;
    }
    case k_ethertype_ipv6: {
      if (rest < k_ipv6_header || (ip[0] >> 4) != 6 || ip[6] != k_protocol_udp) return false;
      query.ipv6 = true;
      std::memcpy(query.source, ip + 8, 16);
      if (!parse_udp(ip + k_ipv6_header, rest - k_ipv6_header, get16(ip + 4), query)) return false;
      query.payload_at = k_ethernet_header + k_ipv6_header + k_udp_header;
      return true;
    }
    default:
      return false;  // VLAN tags, ARP and the rest: the XDP program passes them to the kernel
  }
}

std::size_t build_answer(std::uint8_t* frame, const Query& query,
                         std::size_t payload_size) noexcept {
  swap_bytes(frame, frame + 6, 6);  // Ethernet destination and source
  std::uint8_t* ip = frame + k_ethernet_header;
  const std::size_t udp_size = k_udp_header + payload_size;
  std::uint8_t* udp = ip + (query.ipv6 ? k_ipv6_header : k_ipv4_header);
  std::uint32_t pseudo = 0;  // the UDP checksum's pseudo-header (RFC 768, RFC 8200 §8.1)
  if (query.ipv6) {
    put16(ip + 4, static_cast<std::uint16_t>(udp_size));
    ip[7] = 64;  // hop limit
    swap_bytes(ip + 8, ip + 24, 16);
    pseudo = sum(ip + 8, 32, static_cast<std::uint32_t>(udp_size) + k_protocol_udp);
  } else {
    put16(ip + 2, static_cast<std::uint16_t>(k_ipv4_header + udp_size));
    put16(ip + 4, 0);       // identification: not a fragment, so any value does (RFC 6864)
    put16(ip + 6, 0x4000);  // DF
    ip[8] = 64;             // TTL
    swap_bytes(ip + 12, ip + 16, 4);
    put16(ip + 10, 0);
    put16(ip + 10, fold(sum(ip, k_ipv4_header)));
    pseudo = sum(ip + 12, 8, static_cast<std::uint32_t>(udp_size) + k_protocol_udp);
  }
  put16(udp, query.destination_port);
  put16(udp + 2, query.source_port);
  put16(udp + 4, static_cast<std::uint16_t>(udp_size));
  put16(udp + 6, 0);
  std::uint16_t check = fold(sum(udp, udp_size, pseudo));
  if (check == 0) check = 0xffff;  // 0 means "no checksum" (RFC 768)
  put16(udp + 6, check);
  return k_ethernet_header + (query.ipv6 ? k_ipv6_header : k_ipv4_header) + udp_size;
}

}  // namespace dnsd::xdp
