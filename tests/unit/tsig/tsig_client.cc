// Test helper for test_knot_transfer.py: our client side against a real server (knotd).
//   tsig_client request ALG SECRET QNAME REQUEST_OUT MAC_OUT   signs an AXFR request of ours
//   tsig_client verify ALG SECRET MAC_IN STREAM_IN             verifies the response messages
// STREAM_IN holds the messages as read from TCP (length-prefixed). verify prints one status per
// message and exits 0 only when each verified and the sequence ended signed.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dnsd/tsig/sign.hh"
#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/types.hh"

namespace {

using namespace dnsd;

std::vector<std::uint8_t> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const char* path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::chrono::sys_seconds now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

int request(const tsig::Key& key, const char* qname_text, const char* request_out,
            const char* mac_out) {
  const auto qname = wire::Name::from_text(qname_text);
  if (!qname) return 2;
  std::vector<std::uint8_t> buffer(512);
  wire::Writer writer(buffer, buffer.size());
  const bool written = writer.put_u16(0x2c1d) && writer.put_u16(0) && writer.put_u16(1) &&
                       writer.put_u16(0) && writer.put_u16(0) && writer.put_u16(0) &&
                       writer.put_name(qname->wire(), false) &&
                       writer.put_u16(wire::rrtype::axfr) && writer.put_u16(wire::rrclass::in);
  tsig::Mac mac;
  if (!written || !tsig::sign_request(writer, key, now(), mac)) return 1;
  write_file(request_out, writer.packet());
  write_file(mac_out, mac.view());
  return 0;
}

int verify(const tsig::Key& key, const char* mac_in, const char* stream_in) {
  const auto mac = read_file(mac_in);
  const auto stream = read_file(stream_in);
  tsig::Verifier verifier(key, mac);
  bool all_good = true;
  int count = 0;
  for (std::size_t at = 0; at + 2 <= stream.size();) {
    const std::size_t size = static_cast<std::size_t>(stream[at] << 8 | stream[at + 1]);
    if (at + 2 + size > stream.size()) return std::printf("truncated stream\n"), 1;
    const auto status = verifier.verify(std::span(stream).subspan(at + 2, size), now());
    std::printf("message %d: %s\n", ++count, std::string(tsig::status_text(status)).c_str());
    all_good = all_good && (status == tsig::Status::ok || status == tsig::Status::none);
    at += 2 + size;
  }
  std::printf("messages %d, ends signed: %s\n", count, verifier.ends_signed() ? "yes" : "no");
  return all_good && verifier.ends_signed() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7 && argc != 6) return std::fprintf(stderr, "usage: see tsig_client.cc\n"), 2;
  std::string error;
  const auto key = tsig::make_key("tsig-test.example.", argv[2], argv[3], &error);
  if (!key) return std::fprintf(stderr, "%s\n", error.c_str()), 2;
  if (!std::strcmp(argv[1], "request") && argc == 7)
    return request(*key, argv[4], argv[5], argv[6]);
  if (!std::strcmp(argv[1], "verify") && argc == 6) return verify(*key, argv[4], argv[5]);
  return 2;
}
