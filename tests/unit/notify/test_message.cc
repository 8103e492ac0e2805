// NOTIFY and SOA-query messages: what we send, read back with the wire Reader and checked field
// by field against RFC 1996 §3.7; and which datagrams count as the answer to a request.
#include <doctest/doctest.h>

#include <vector>

#include "dnsd/notify/message.hh"
#include "dnsd/tsig/record.hh"
#include "dnsd/tsig/sign.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/wire/writer.hh"
#include "dnsd/zone/soa.hh"

using namespace dnsd;

namespace {

const auto now = std::chrono::sys_seconds{std::chrono::seconds{1'800'000'000}};

wire::Name name(const char* text) { return *wire::Name::from_text(text); }

tsig::Key key(const char* secret = "EI0rzl89yWdSZfL1YNvGxz718/vIrJp+/LePRG1gXkU=") {
  return *tsig::make_key("notify-key.example.", "hmac-sha256", secret);
}

// The acknowledgement a secondary sends: the request's header and question, QR set, RCODE.
std::vector<std::uint8_t> ack_of(const notify::Request& request, std::uint16_t rcode = 0,
                                 const tsig::Keyring* keyring = nullptr) {
  std::vector<std::uint8_t> in(request.bytes.begin(), request.bytes.begin() + request.size);
  tsig::Verified verified;
  std::span<std::uint8_t> message(in);
  if (keyring) {
    verified = tsig::verify_request(message, *keyring, now);
    message = tsig::strip_tsig(message, verified);
  }
  wire::Reader reader(message);
  reader.header();
  wire::WireName qname;
  reader.name(qname);
  reader.skip(4);
  std::vector<std::uint8_t> out(1232);
  wire::Writer writer(out, out.size());
  writer.put_bytes(message.first(reader.pos()));
  writer.patch_u16(2, static_cast<std::uint16_t>(0x8000 | (wire::opcode::notify << 11) | rcode));
  writer.patch_u16(6, 0);
  writer.patch_u16(10, 0);
  if (keyring) tsig::sign_response(writer, verified, now);
  out.resize(writer.size());
  return out;
}

}  // namespace

TEST_CASE("a NOTIFY carries opcode 4, AA, question ZONE SOA IN and the new serial in its SOA") {
  notify::Request request;
  REQUIRE(notify::build_notify(request, name("Example.COM."), 2026120201, {}, 3600, 0x1234, nullptr,
                               now));
  wire::Reader reader(request.view());
  const wire::Header header = reader.header();
  CHECK(header.id == 0x1234);
  CHECK_FALSE(header.qr());
  CHECK(header.opcode() == wire::opcode::notify);
  CHECK((header.flags & 0x0400) != 0);  // AA (RFC 1996 §3.7)
  CHECK((header.flags & 0x000f) == 0);
  CHECK(header.qdcount == 1);
  CHECK(header.ancount == 1);
  CHECK(header.nscount == 0);
  CHECK(header.arcount == 0);
  wire::WireName qname, owner;
  reader.name(qname);
  CHECK(wire::names_equal(qname.wire(), name("example.com.").wire()));
  CHECK(reader.u16() == wire::rrtype::soa);
  CHECK(reader.u16() == wire::rrclass::in);
  reader.name(owner);
  CHECK(wire::names_equal(owner.wire(), qname.wire()));
  CHECK(reader.u16() == wire::rrtype::soa);
  CHECK(reader.u16() == wire::rrclass::in);
  CHECK(reader.u32() == 3600);
  const std::uint16_t rdlength = reader.u16();
  REQUIRE(reader.remaining() == rdlength);
  CHECK(zone::soa::serial(request.view().subspan(reader.pos(), rdlength)) == 2026120201);
  reader.skip(rdlength);
  CHECK(reader.ok());
}

TEST_CASE("the zone's own SOA rdata goes into the NOTIFY with its serial replaced") {
  const wire::Name mname = name("ns1.example.com."), rname = name("host.example.com.");
  std::vector<std::uint8_t> rdata(mname.wire().begin(), mname.wire().end());
  rdata.insert(rdata.end(), rname.wire().begin(), rname.wire().end());
  rdata.resize(rdata.size() + zone::soa::numbers_size, 7);
  notify::Request request;
  REQUIRE(notify::build_notify(request, name("example.com."), 42, rdata, 300, 1, nullptr, now));
  const auto packet = request.view();
  // Names in the rdata may be compressed, but the five numbers close it.
  CHECK(zone::soa::serial(packet.subspan(packet.size() - 20 - 2, 22)) == 42);
  CHECK(packet[packet.size() - 1] == 7);
}

TEST_CASE("a signed NOTIFY ends in a TSIG record that the secondary's keyring verifies") {
  notify::Request request;
  const tsig::Key signing = key();
  REQUIRE(notify::build_notify(request, name("example.com."), 5, {}, 0, 77, &signing, now));
  CHECK(request.signed_);
  CHECK(request.mac.size == 32);
  tsig::Record record;
  REQUIRE(tsig::find_record(request.view(), record) == tsig::Find::found);
  const tsig::Keyring keyring({key()});
  CHECK(tsig::verify_request(request.view(), keyring, now).status == tsig::Status::ok);
  const tsig::Keyring other({key("BucNKTFmr1QXWNgS5pg2BC/tWgk=")});
  CHECK(tsig::verify_request(request.view(), other, now).status == tsig::Status::badsig);
}

TEST_CASE("an SOA query asks ZONE SOA IN without RD and without an answer section") {
  notify::Request request;
  REQUIRE(notify::build_soa_query(request, name("example.com."), 9, nullptr, now));
  wire::Reader reader(request.view());
  const wire::Header header = reader.header();
  CHECK(header.opcode() == wire::opcode::query);
  CHECK_FALSE(header.rd());
  CHECK(header.qdcount == 1);
  CHECK(header.ancount == 0);
}

TEST_CASE("the acknowledgement is a response with the same ID, opcode and question") {
  notify::Request request;
  REQUIRE(notify::build_notify(request, name("example.com."), 5, {}, 0, 77, nullptr, now));
  auto ack = ack_of(request);
  CHECK(notify::check_response(ack, request, nullptr, now).outcome == notify::Outcome::ok);

  auto other_id = ack;
  other_id[1] ^= 1;
  CHECK(notify::check_response(other_id, request, nullptr, now).outcome ==
        notify::Outcome::unrelated);
  auto not_a_response = ack;
  not_a_response[2] &= 0x7f;
  CHECK(notify::check_response(not_a_response, request, nullptr, now).outcome ==
        notify::Outcome::unrelated);
  notify::Request other_zone;
  REQUIRE(notify::build_notify(other_zone, name("example.org."), 5, {}, 0, 77, nullptr, now));
  CHECK(notify::check_response(ack_of(other_zone), request, nullptr, now).outcome ==
        notify::Outcome::unrelated);
  CHECK(notify::check_response(std::span(ack).first(5), request, nullptr, now).outcome ==
        notify::Outcome::unrelated);
}

TEST_CASE("a refusal is reported by its RCODE") {
  notify::Request request;
  REQUIRE(notify::build_notify(request, name("example.com."), 5, {}, 0, 77, nullptr, now));
  const auto answer = notify::check_response(ack_of(request, 5), request, nullptr, now);
  CHECK(answer.outcome == notify::Outcome::refused);
  CHECK(notify::error_text(answer) == "REFUSED");
  CHECK(notify::rcode_text(9) == "NOTAUTH");
  CHECK(notify::rcode_text(23) == "RCODE23");
}

TEST_CASE("a signed request needs a signed acknowledgement that verifies") {
  const tsig::Key signing = key();
  notify::Request request;
  REQUIRE(notify::build_notify(request, name("example.com."), 5, {}, 0, 77, &signing, now));
  const tsig::Keyring keyring({key()});
  auto signed_ack = ack_of(request, 0, &keyring);
  CHECK(notify::check_response(signed_ack, request, &signing, now).outcome == notify::Outcome::ok);

  auto altered = signed_ack;
  altered[3] ^= 0x10;  // a header bit the MAC covers (Z), not the ID or QR
  const auto bad = notify::check_response(altered, request, &signing, now);
  CHECK(bad.outcome == notify::Outcome::tsig_error);
  CHECK(notify::error_text(bad) == "BADSIG");

  const auto unsigned_ack = notify::check_response(ack_of(request), request, &signing, now);
  CHECK(unsigned_ack.outcome == notify::Outcome::tsig_error);
  CHECK(notify::error_text(unsigned_ack) == "unsigned");
}

TEST_CASE("a secondary with another secret answers NOTAUTH, read as BADSIG") {
  const tsig::Key signing = key();
  notify::Request request;
  REQUIRE(notify::build_notify(request, name("example.com."), 5, {}, 0, 77, &signing, now));
  const tsig::Keyring wrong({key("BucNKTFmr1QXWNgS5pg2BC/tWgk=")});
  const auto answer = notify::check_response(ack_of(request, 0, &wrong), request, &signing, now);
  CHECK(answer.outcome == notify::Outcome::tsig_error);
  CHECK(notify::error_text(answer) == "BADSIG");
  CHECK(answer.rcode == tsig::rcode_notauth);
}
