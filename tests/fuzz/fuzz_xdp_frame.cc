// libFuzzer target: any bytes as a frame received on the AF_XDP path (dnsd/xdp/frame.hh). The
// parser must stay inside the frame; a frame it accepts must name a payload inside the frame,
// and the answer built from it (the payload echoed) must parse again with the roles swapped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dnsd/xdp/frame.hh"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // An exact-size copy, so AddressSanitizer sees any read past the frame.
  std::vector<std::uint8_t> frame(data, data + size);
  dnsd::xdp::Query query;
  if (!dnsd::xdp::parse_query(frame, query)) return 0;
  require(query.payload_at + query.payload_size <= frame.size());
  require(query.payload_at == dnsd::xdp::header_size(query.ipv6));
  frame.resize(query.payload_at + query.payload_size);
  const std::size_t length = dnsd::xdp::build_answer(frame.data(), query, query.payload_size);
  require(length == frame.size());
  dnsd::xdp::Query back;
  require(dnsd::xdp::parse_query(frame, back));
  require(back.source_port == query.destination_port);
  require(back.destination_port == query.source_port);
  require(back.payload_size == query.payload_size);
  return 0;
}
