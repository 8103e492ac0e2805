// IXFR (RFC 1995) from dnsd/xfr: the journal's diffs in order, a single SOA for a client that
// is current or ahead or asks over UDP, the whole zone when the journal lacks the serial.
#include <doctest/doctest.h>

#include "../dnsd/zone_text.hh"
#include "dnsd/tsig/verify.hh"
#include "dnsd/wire/types.hh"
#include "xfr_test_support.hh"

using namespace dnsd;
using namespace xfr_test;

namespace {

constexpr std::uint16_t soa = wire::rrtype::soa, a = wire::rrtype::a, txt = wire::rrtype::txt;

// Serial 10; the journal holds 7 -> 8 (adds a TXT), 8 -> 9 (removes it), 9 -> 10 (adds an A).
OneZone journaled_zone() {
  OneZone source;
  source.zone = example_zone(10, {"new.example. 60 A 192.0.2.10"});
  source.journal = std::make_unique<zone::Journal>(zone::Journal::Limits{});
  const auto step = [](std::uint32_t from, std::uint32_t to) {
    zone::Diff diff;
    diff.old_soa = zone_text::record("example.", soa_line(from));
    diff.new_soa = zone_text::record("example.", soa_line(to));
    return diff;
  };
  auto d8 = step(7, 8);
  d8.added.push_back(zone_text::record("example.", "t.example. 60 TXT \"x\""));
  auto d9 = step(8, 9);
  d9.removed.push_back(zone_text::record("example.", "t.example. 60 TXT \"x\""));
  auto d10 = step(9, 10);
  d10.added.push_back(zone_text::record("example.", "new.example. 60 A 192.0.2.10"));
  source.journal->append(d8);
  source.journal->append(d9);
  source.journal->append(d10);
  source.acl.entries.push_back(entry(std::nullopt, "127.0.0.1"));
  return source;
}

std::vector<std::pair<std::uint16_t, std::uint32_t>> sequence(xfr::Transfer& transfer) {
  std::vector<std::pair<std::uint16_t, std::uint32_t>> out;
  for (const auto& m : run(transfer))
    for (const auto& rr : read_message(m).answers) out.emplace_back(rr.type, rr.serial);
  return out;
}

}  // namespace

TEST_CASE("an IXFR from a journaled serial sends each diff: old SOA, removed, new SOA, added") {
  const auto source = journaled_zone();
  const auto req = request("example.", 7);
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source);
  REQUIRE(transfer.verdict() == xfr::Verdict::incremental);
  using P = std::pair<std::uint16_t, std::uint32_t>;
  const std::vector<P> expected{{soa, 10}, {soa, 7}, {soa, 8},  {txt, 0}, {soa, 8}, {txt, 0},
                                {soa, 9},  {soa, 9}, {soa, 10}, {a, 0},   {soa, 10}};
  CHECK(sequence(transfer) == expected);
  CHECK(transfer.description().find("3 diffs, serial 7 to 10") != std::string::npos);
}

TEST_CASE("an IXFR from the last but one serial sends only the last diff") {
  const auto source = journaled_zone();
  const auto req = request("example.", 9);
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source);
  using P = std::pair<std::uint16_t, std::uint32_t>;
  const std::vector<P> expected{{soa, 10}, {soa, 9}, {soa, 10}, {a, 0}, {soa, 10}};
  CHECK(sequence(transfer) == expected);
}

TEST_CASE("an IXFR from the current serial, or one ahead of ours, is a single SOA (RFC 1995 §2)") {
  const auto source = journaled_zone();
  for (const std::uint32_t serial : {10u, 11u, 2000u}) {
    const auto req = request("example.", serial);
    xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source);
    CHECK(transfer.verdict() == xfr::Verdict::soa_only);
    using P = std::pair<std::uint16_t, std::uint32_t>;
    CHECK(sequence(transfer) == std::vector<P>{{soa, 10}});
  }
}

TEST_CASE("an IXFR from a serial the journal lacks is answered with the whole zone (RFC 1995 §4)") {
  auto source = journaled_zone();
  const auto req = request("example.", 3);
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source);
  CHECK(transfer.verdict() == xfr::Verdict::full);
  const auto rrs = sequence(transfer);
  REQUIRE(rrs.size() == 5);  // SOA, NS, ns1 A, new A, SOA
  CHECK(rrs.front() == std::make_pair(soa, 10u));
  CHECK(rrs.back() == std::make_pair(soa, 10u));

  source.journal.reset();  // a zone without a journal: every IXFR is AXFR-style
  xfr::Transfer without(request("example.", 9).bytes, tsig::Verified{}, client("127.0.0.1"),
                        source);
  CHECK(without.verdict() == xfr::Verdict::full);
}

TEST_CASE("an IXFR over UDP is a single SOA, telling the client to use TCP (RFC 1995 §2)") {
  const auto source = journaled_zone();
  const auto req = request("example.", 7);
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source, true);
  CHECK(transfer.verdict() == xfr::Verdict::soa_only);
  using P = std::pair<std::uint16_t, std::uint32_t>;
  CHECK(sequence(transfer) == std::vector<P>{{soa, 10}});
}

TEST_CASE("an IXFR without the client's SOA in the authority section is FORMERR") {
  const auto source = journaled_zone();
  auto req = request("example.", std::nullopt);
  req.bytes[12 + 9 + 1] = static_cast<std::uint8_t>(wire::rrtype::ixfr);  // qtype AXFR -> IXFR
  xfr::Transfer transfer(req.bytes, tsig::Verified{}, client("127.0.0.1"), source);
  CHECK(transfer.verdict() == xfr::Verdict::formerr);
  const auto messages = run(transfer);
  REQUIRE(messages.size() == 1);
  CHECK(read_message(messages[0]).rcode() == wire::rcode::formerr);
  // The ACL is checked first: a client it does not allow learns nothing more (as Knot DNS).
  xfr::Transfer outside(req.bytes, tsig::Verified{}, client("192.0.2.1"), source);
  CHECK(outside.verdict() == xfr::Verdict::refused);
}

TEST_CASE("a signed IXFR over UDP gets its single signed SOA within 512 bytes") {
  auto source = journaled_zone();
  const auto k = key("xfr-key.", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
  source.acl.entries = {entry("xfr-key.", std::nullopt)};
  const tsig::Keyring keyring({k});
  const auto req = request("example.", 7, &k);
  const auto verified = tsig::verify_request(req.bytes, keyring, now);
  REQUIRE(verified.status == tsig::Status::ok);
  xfr::Transfer transfer(req.bytes, verified, client("127.0.0.1"), source, true);
  const auto messages = run(transfer, 512);
  REQUIRE(messages.size() == 1);
  tsig::Verifier verifier(keyring.keys()[0], req.mac.view());
  CHECK(verifier.verify(messages[0], now) == tsig::Status::ok);
  CHECK(read_message(messages[0]).answers.size() == 1);
}
