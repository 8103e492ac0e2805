// framing.hh: the header, size limit and qtype mapping both answer paths share.
#include <doctest/doctest.h>

#include <array>

#include "dnsd/framing.hh"

using namespace dnsd;

TEST_CASE("framing: the response copies opcode, RD and CD, and says QR, AA, TC and the rcode") {
  const std::uint16_t query_flags = 0x2000 | framing::flag_rd | framing::flag_cd | 0x0080;  // + RA
  framing::Head head;
  head.rcode = wire::rcode::badvers;  // 16: only its low 4 bits go in the header
  head.aa = true;
  CHECK(framing::response_flags(query_flags, head) ==
        (framing::flag_qr | 0x2000 | framing::flag_rd | framing::flag_cd | framing::flag_aa));
  head.rcode = wire::rcode::nxdomain;
  head.aa = false;
  head.tc = true;
  CHECK(framing::response_flags(0, head) == (framing::flag_qr | framing::flag_tc | 3));
}

TEST_CASE("framing: write_head fills bytes 2 to 11 and leaves the ID alone") {
  std::array<std::uint8_t, 12> packet{0xab, 0xcd};
  framing::write_head(packet.data(), framing::flag_rd,
                      {wire::rcode::noerror, true, false, 1, 2, 0x0102, 3});
  CHECK(packet == std::array<std::uint8_t, 12>{0xab, 0xcd, 0x85, 0, 0, 1, 0, 2, 1, 2, 0, 3});
}

TEST_CASE(
    "framing: 512 bytes over UDP without EDNS, the EDNS size within 512 and ours, 64k over TCP") {
  ServerConfig server;
  server.udp_payload = 1232;
  ServingState state;
  state.server = &server;
  wire::Edns edns;
  const Client udp{Transport::udp, {}}, tcp{Transport::tcp, {}};
  CHECK(framing::response_limit(state, udp, edns) == 512);
  CHECK(framing::response_limit(state, tcp, edns) == 65535);
  edns.present = true;
  edns.udp_payload = 4096;
  CHECK(framing::response_limit(state, udp, edns) == 1232);
  edns.udp_payload = 100;  // RFC 6891 §6.2.5: below 512 counts as 512
  CHECK(framing::response_limit(state, udp, edns) == 512);
  edns.udp_payload = 1000;
  CHECK(framing::response_limit(state, udp, edns) == 1000);
}

TEST_CASE(
    "framing: A asks a profile for IPv4, AAAA for IPv6, any other type for whatever it picks") {
  CHECK(framing::want_for(wire::rrtype::a) == routing::Want::ipv4);
  CHECK(framing::want_for(wire::rrtype::aaaa) == routing::Want::ipv6);
  CHECK(framing::want_for(wire::rrtype::mx) == routing::Want::any);
  CHECK(framing::want_for(wire::rrtype::any) == routing::Want::any);
}
