// libFuzzer target: any bytes as a TSIG-signed request. Verification must not crash and its
// result must be consistent; a parsed TSIG RR must write back as it read; and any cleanly
// parsed unsigned message, once signed by us, must verify, and fail with one MAC bit flipped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "dnsd/tsig/record.hh"
#include "dnsd/tsig/sign.hh"
#include "dnsd/tsig/verify.hh"

namespace {

using namespace dnsd;

const tsig::Keyring& keyring() {
  // The key of tests/unit/tsig/peers.py, so corpus seeds captured from dig verify.
  static const tsig::Keyring ring({*tsig::make_key(
      "tsig-test.example.", "hmac-sha256", "EI0rzl89yWdSZfL1YNvGxz718/vIrJp+/LePRG1gXkU=")});
  return ring;
}

void require(bool condition) {
  if (!condition) std::abort();
}

// True when the message's sections parse and end exactly at its last byte.
bool parses_exactly(std::span<const std::uint8_t> message) {
  wire::Reader reader(message);
  const auto header = reader.header();
  wire::WireName name;
  for (unsigned i = 0; i < header.qdcount && reader.ok(); ++i) {
    reader.name(name);
    reader.skip(4);
  }
  const unsigned records = unsigned{header.ancount} + header.nscount + header.arcount;
  for (unsigned i = 0; i < records && reader.ok(); ++i) reader.skip_rr();
  return reader.ok() && reader.remaining() == 0;
}

void check_verify(std::span<const std::uint8_t> message, std::chrono::sys_seconds now) {
  const auto verified = tsig::verify_request(message, keyring(), now);
  switch (verified.status) {
    case tsig::Status::ok:
    case tsig::Status::badtime:
    case tsig::Status::badtrunc:
      require(verified.key != nullptr);
      require(verified.request_mac.size >= tsig::shortest_mac(32) &&
              verified.request_mac.size <= 32);
      [[fallthrough]];
    case tsig::Status::badsig:
    case tsig::Status::badkey:
      require(verified.message_size < message.size());
      break;
    default:
      break;
  }
}

void check_record_round_trip(std::span<const std::uint8_t> message) {
  tsig::Record record;
  if (tsig::find_record(message, record) != tsig::Find::found) return;
  std::vector<std::uint8_t> buffer(message.size() + 1024);
  wire::Writer writer(buffer, buffer.size());
  require(writer.put_bytes(message.first(record.offset)));
  writer.patch_u16(10, static_cast<std::uint16_t>(tsig::arcount_of(message) - 1));
  const tsig::Variables variables{record.key_name.wire(), record.algorithm_name.wire(),
                                  record.time_signed,     record.fudge,
                                  record.error,           record.other};
  // Fails only when the names, read compressed, no longer fit RDLENGTH once written in full.
  if (!tsig::put_record(writer, variables, record.mac, record.original_id)) return;
  tsig::Record again;
  require(tsig::find_record(writer.packet(), again) == tsig::Find::found);
  require(again.offset == record.offset && again.time_signed == record.time_signed &&
          again.fudge == record.fudge && again.error == record.error &&
          again.original_id == record.original_id);
  require(std::equal(again.mac.begin(), again.mac.end(), record.mac.begin(), record.mac.end()));
  require(wire::names_equal(again.key_name.wire(), record.key_name.wire()));
}

void check_sign_then_verify(std::span<const std::uint8_t> message, std::chrono::sys_seconds now) {
  tsig::Record record;
  if (message.size() < wire::header_size || !parses_exactly(message) ||
      tsig::find_record(message, record) != tsig::Find::none || tsig::arcount_of(message) == 0xffff)
    return;
  std::vector<std::uint8_t> buffer(message.size() + 256);
  wire::Writer writer(buffer, buffer.size());
  require(writer.put_bytes(message));
  tsig::Mac mac;
  require(tsig::sign_request(writer, keyring().keys()[0], now, mac));
  std::vector<std::uint8_t> signed_message(writer.packet().begin(), writer.packet().end());
  require(tsig::verify_request(signed_message, keyring(), now).status == tsig::Status::ok);
  signed_message[signed_message.size() - 7] ^=
      1;  // the MAC's last byte (then ID, error, other length)
  require(tsig::verify_request(signed_message, keyring(), now).status == tsig::Status::badsig);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> message(data, size);
  tsig::Record record;
  // The record's own time, so that seeds signed by real clients verify instead of BADTIME.
  const bool has_tsig = tsig::find_record(message, record) == tsig::Find::found;
  const auto now =
      std::chrono::sys_seconds(std::chrono::seconds(has_tsig ? record.time_signed : 1700000000));
  check_verify(message, now);
  check_record_round_trip(message);
  check_sign_then_verify(message, now);
  return 0;
}
