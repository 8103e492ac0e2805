// Test helper for test_clients_verify.py: answers one captured request with a response signed
// by our code, so that real clients (dig, kdig) verify our bytes. Test keys only (peers.py).
//   tsig_responder ALGORITHM REQUEST.bin RESPONSE.bin [--skew S] [--messages N] [--corrupt K]
// --skew shifts our clock (BADTIME); --messages N writes an N-message AXFR, each message
// length-prefixed for TCP; --corrupt K flips a MAC byte of message K (1-based) after signing.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dnsd/tsig/record.hh"
#include "dnsd/tsig/sign.hh"
#include "dnsd/wire/types.hh"
#include "peer_keys.hh"

namespace {

using namespace dnsd;

// Header and question of the answer to `request`; returns the question's owner span in the request.
bool start(std::span<const std::uint8_t> request, wire::Writer& writer, wire::WireName& qname) {
  wire::Reader reader(request);
  const auto header = reader.header();
  reader.name(qname);
  reader.skip(4);
  if (!reader.ok() || header.qdcount != 1) return false;
  const std::uint16_t flags = 0x8400 | (header.flags & 0x7900);
  return writer.put_u16(header.id) && writer.put_u16(flags) && writer.put_u16(1) &&
         writer.put_u16(0) && writer.put_u16(0) && writer.put_u16(0) &&
         writer.put_bytes(request.subspan(12, reader.pos() - 12));
}

// One answer record: TXT "dnsd message N", or the SOA for the first and last message of an AXFR.
bool put_answer(wire::Writer& writer, const wire::WireName& qname, int index, int count) {
  const std::uint8_t soa[] = {2, 'n', 's', 0, 4, 'h', 'o', 's', 't', 0,  0,   0, 0, 1, 0,
                              0, 14,  16,  0, 0, 7,   8,   0,   9,   58, 128, 0, 0, 1, 44};
  bool ok;
  if (count > 1 && (index == 0 || index == count - 1)) {
    ok = writer.put_rr(qname.wire(), wire::rrtype::soa, wire::rrclass::in, 300, soa);
  } else {
    std::string text = "dnsd message " + std::to_string(index + 1);
    std::vector<std::uint8_t> rdata(text.size() + 1);
    rdata[0] = static_cast<std::uint8_t>(text.size());
    std::memcpy(rdata.data() + 1, text.data(), text.size());
    ok = writer.put_rr(qname.wire(), wire::rrtype::txt, wire::rrclass::in, 300, rdata);
  }
  writer.patch_u16(6, 1);
  return ok;
}

void corrupt_mac(std::vector<std::uint8_t>& message) {
  tsig::Record record;
  if (tsig::find_record(message, record) == tsig::Find::found && !record.mac.empty())
    message[static_cast<std::size_t>(record.mac.data() - message.data())] ^= 0x01;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4)
    return std::fprintf(stderr, "usage: tsig_responder ALG REQUEST RESPONSE [opts]\n"), 2;
  long skew = 0;
  int messages = 1, corrupt = 0;
  for (int i = 4; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--skew")) skew = std::stol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--messages")) messages = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--corrupt")) corrupt = std::stoi(argv[i + 1]);
  }
  std::ifstream in(argv[2], std::ios::binary);
  const std::vector<std::uint8_t> request((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
  std::string error;
  auto key = tsig::make_key("tsig-test.example.", argv[1], tsig_test::secret_of(argv[1]), &error);
  if (!key) return std::fprintf(stderr, "%s\n", error.c_str()), 2;
  const tsig::Keyring keyring({*key});
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
      std::chrono::seconds(skew);
  const auto verified = tsig::verify_request(request, keyring, now);
  std::fprintf(stderr, "tsig_responder: request %s\n",
               std::string(tsig::status_text(verified.status)).c_str());

  std::ofstream out(argv[3], std::ios::binary);
  tsig::Signer signer(keyring.keys()[0], verified.request_mac.view());
  for (int index = 0; index < messages; ++index) {
    std::vector<std::uint8_t> buffer(4096);
    wire::Writer writer(buffer, buffer.size());
    wire::WireName qname;
    if (!start(request, writer, qname))
      return std::fprintf(stderr, "cannot parse the request\n"), 1;
    bool signed_ok;
    if (verified.status == tsig::Status::ok) {
      if (!put_answer(writer, qname, index, messages)) return 1;
      signed_ok = signer.sign(writer, now);
    } else {
      signed_ok = tsig::sign_response(writer, verified, now);
    }
    if (!signed_ok) return std::fprintf(stderr, "signing failed\n"), 1;
    std::vector<std::uint8_t> message(writer.packet().begin(), writer.packet().end());
    if (corrupt == index + 1) corrupt_mac(message);
    if (messages > 1) {
      const char length[] = {static_cast<char>(message.size() >> 8),
                             static_cast<char>(message.size())};
      out.write(length, 2);
    }
    out.write(reinterpret_cast<const char*>(message.data()),
              static_cast<std::streamsize>(message.size()));
    if (verified.status != tsig::Status::ok) break;  // an error answer is one message
  }
  return out.good() ? 0 : 1;
}
