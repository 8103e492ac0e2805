// AXFR (RFC 5936) from dnsd/xfr: SOA first and last, every other RRset once in between, split
// over messages of the caller's size, every message signed when the request was.
#include <doctest/doctest.h>

#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/types.hh"
#include "xfr_test_support.hh"

using namespace dnsd;
using namespace xfr_test;

namespace {

OneZone open_zone(std::size_t extra_records) {
  OneZone source;
  std::vector<std::string> extra;
  for (std::size_t i = 0; i < extra_records; ++i)
    extra.push_back("h" + std::to_string(i) + ".example. 60 A 192.0.2." + std::to_string(i % 250));
  extra.push_back("www.example. 60 TXT \"one\"");
  extra.push_back("www.example. 60 TXT \"two\"");
  source.zone = example_zone(7, extra);
  source.acl.entries.push_back(entry(std::nullopt, "127.0.0.0/8"));
  return source;
}

std::vector<Rr> all_answers(const std::vector<std::vector<std::uint8_t>>& messages) {
  std::vector<Rr> out;
  for (const auto& m : messages) {
    const auto read = read_message(m);
    out.insert(out.end(), read.answers.begin(), read.answers.end());
  }
  return out;
}

}  // namespace

TEST_CASE("an AXFR is the SOA, every other record of the zone once, then the SOA again") {
  const auto source = open_zone(3);
  const auto req = request("example.", std::nullopt);
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source);
  REQUIRE(transfer.verdict() == xfr::Verdict::full);
  const auto messages = run(transfer);
  REQUIRE(messages.size() == 1);
  const auto message = read_message(messages[0]);
  CHECK(message.id == 0x4242);
  CHECK(message.rcode() == 0);
  CHECK((message.flags & 0x8400) == 0x8400);  // QR, AA
  CHECK(message.qdcount == 1);
  const auto& rrs = message.answers;
  // SOA, NS, ns1 A, h0..h2 A, two TXT, SOA.
  REQUIRE(rrs.size() == 9);
  CHECK(rrs.front().type == wire::rrtype::soa);
  CHECK(rrs.front().serial == 7);
  CHECK(rrs.back().type == wire::rrtype::soa);
  std::size_t soas = 0, txts = 0;
  for (const auto& rr : rrs) soas += rr.type == wire::rrtype::soa, txts += rr.type == 16;
  CHECK(soas == 2);
  CHECK(txts == 2);
  CHECK(transfer.records() == 9);
  CHECK(transfer.description().find("AXFR example. from 127.0.0.1 key none: full zone") == 0);
}

TEST_CASE("a large AXFR is split over messages, the question in the first one only") {
  const auto source = open_zone(3000);
  const auto req = request("example.", std::nullopt);
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source);
  const auto messages = run(transfer, 4096);
  CHECK(messages.size() > 10);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    CHECK(messages[i].size() <= 4096);
    CHECK(read_message(messages[i]).qdcount == (i == 0 ? 1 : 0));
  }
  const auto rrs = all_answers(messages);
  CHECK(rrs.size() == 3000 + 6);
  CHECK(rrs.front().type == wire::rrtype::soa);
  CHECK(rrs.back().type == wire::rrtype::soa);
  std::size_t soas = 0;
  for (const auto& rr : rrs) soas += rr.type == wire::rrtype::soa;
  CHECK(soas == 2);
}

TEST_CASE("every message of a signed AXFR is signed and verifies in sequence (RFC 8945 §5.3.1)") {
  auto source = open_zone(2000);
  const auto k = key("xfr-key.", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
  source.acl.entries = {entry("xfr-key.", std::nullopt)};
  const tsig::Keyring keyring({k});
  const auto req = request("example.", std::nullopt, &k);
  const auto verified = tsig::verify_request(req.bytes, keyring, now);
  REQUIRE(verified.status == tsig::Status::ok);
  xfr::Transfer transfer(req.bytes, verified, client("192.0.2.1"), source);
  REQUIRE(transfer.verdict() == xfr::Verdict::full);
  const auto messages = run(transfer, 8192);
  REQUIRE(messages.size() > 2);
  tsig::Verifier verifier(keyring.keys()[0], req.mac.view());
  for (const auto& m : messages) {
    CHECK(read_message(m).arcount == 1);
    CHECK(verifier.verify(m, now + 1s) == tsig::Status::ok);
  }
  CHECK(verifier.ends_signed());
  CHECK(all_answers(messages).size() == 2000 + 6);
}

TEST_CASE("an AXFR over UDP is NOTIMP, as Knot DNS answers it") {
  const auto source = open_zone(1);
  const auto req = request("example.", std::nullopt);
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source, true);
  CHECK(transfer.verdict() == xfr::Verdict::notimp);
  const auto messages = run(transfer, 512);
  REQUIRE(messages.size() == 1);
  CHECK(read_message(messages[0]).rcode() == wire::rcode::notimp);
  CHECK(read_message(messages[0]).answers.empty());
}

TEST_CASE("a request whose question name does not parse is FORMERR with no question echoed") {
  // Found by tests/fuzz/fuzz_xfr.cc: labels that run past 255 bytes without a root label left
  // a partial name, which the FORMERR answer copied as its question, reading past the name.
  OneZone source;
  source.zone = example_zone(1);
  std::vector<std::uint8_t> request{0x42, 0x42, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  for (int label = 0; label < 5; ++label) {
    request.push_back(63);
    request.insert(request.end(), 63, 0x3b);
  }
  request.insert(request.end(), {0, 0, 252, 0, 1});
  xfr::Transfer transfer(request, tsig::Verified{}, client("127.0.0.1"), source);
  CHECK(transfer.verdict() == xfr::Verdict::formerr);
  const auto messages = run(transfer);
  REQUIRE(messages.size() == 1);
  const auto message = read_message(messages[0]);
  CHECK(message.rcode() == wire::rcode::formerr);
  CHECK(message.qdcount == 0);
  CHECK(messages[0].size() == wire::header_size);
}
