// Signed answers through the engine: RRSIGs with DO only (DO=0 byte for byte unchanged), the
// RRSIG verifies over the canonical RRset, compact denial for NODATA and missing names (CO for
// NXDOMAIN), FORMERR for an NXNAME query, signed DS or NSEC on referrals, no signed glue.
#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>

#include "dnsd/dnssec/canonical.hh"
#include "dnsd/dnssec/on_demand.hh"
#include "dnsd/dnssec/signer.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "signed_fixture.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

std::vector<std::uint8_t> ask(const ServingState& state, const std::vector<std::uint8_t>& query) {
  Scratch scratch;
  const Reply reply = answer(state, scratch, query, Client{});
  REQUIRE(reply.kind == Reply::Kind::send);
  return {reply.bytes.begin(), reply.bytes.end()};
}

std::size_t count_type(const std::vector<std::string>& section, const std::string& type) {
  return static_cast<std::size_t>(std::count_if(
      section.begin(), section.end(),
      [&](const auto& rr) { return rr.find(" " + type + " ") != std::string::npos; }));
}

}  // namespace

TEST_CASE("with DO an answer carries its RRSIG, which verifies over the canonical RRset") {
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  auto signed_zone = signed_fixture::make(now);
  const auto response =
      ask(signed_zone.state(), signed_fixture::do_query("www.example.", rrtype::a));
  const auto decoded = fixture::decode(response);
  CHECK(count_type(decoded.answer, "A") >= 1);
  REQUIRE(count_type(decoded.answer, "RRSIG") == 1);

  // Re-read the RRset and its RRSIG from the wire and check the signature with OpenSSL.
  wire::Reader reader(response);
  const wire::Header header = reader.header();
  wire::WireName ignored;
  reader.name(ignored);
  reader.skip(4);
  std::vector<std::vector<std::uint8_t>> rdatas;
  std::vector<std::uint8_t> rrsig;
  for (unsigned i = 0; i < header.ancount; ++i) {
    reader.name(ignored);
    const std::uint16_t type = reader.u16();
    reader.skip(6);
    const std::size_t length = reader.u16();
    std::vector<std::uint8_t> rdata(
        response.begin() + static_cast<std::ptrdiff_t>(reader.pos()),
        response.begin() + static_cast<std::ptrdiff_t>(reader.pos() + length));
    reader.skip(length);
    (type == rrtype::rrsig ? rrsig : rdatas.emplace_back()) = rdata;
  }
  REQUIRE(reader.ok());
  const auto owner = *wire::Name::from_text("www.example.");
  const std::uint32_t ttl =
      static_cast<std::uint32_t>(rrsig[4] << 24 | rrsig[5] << 16 | rrsig[6] << 8 | rrsig[7]);
  const std::size_t head = 18 + owner.parent().size();  // fixed fields, signer "example."
  const auto data =
      dnssec::signed_data(std::span(rrsig).first(head), owner.wire(), rrtype::a, ttl, rdatas);
  CHECK(dnssec::verify_bytes(signed_zone.keys[0].keys[0], data, std::span(rrsig).subspan(head)));
  // Inception one hour back, expiration 14 days on (the defaults).
  const auto u32 = [&](std::size_t at) {
    return static_cast<std::int64_t>(static_cast<std::uint32_t>(
        rrsig[at] << 24 | rrsig[at + 1] << 16 | rrsig[at + 2] << 8 | rrsig[at + 3]));
  };
  CHECK(u32(8) == now + 14 * 86400);
  CHECK(u32(12) == now - 3600);
}

TEST_CASE("without DO a signed zone answers byte for byte as an unsigned one") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  for (const char* name : {"www.example.", "nope.example.", "example."}) {
    CAPTURE(name);
    for (bool edns : {false, true}) {
      const auto query = fixture::query(name, rrtype::a, {.edns = edns});
      CHECK(ask(signed_zone.state(), query) == ask(signed_zone.served->state(), query));
    }
  }
}

TEST_CASE("NODATA is an NSEC at the name whose next name is \\000.<name>") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const auto decoded = fixture::decode(
      ask(signed_zone.state(), signed_fixture::do_query("www.example.", rrtype::txt)));
  CHECK(decoded.rcode == wire::rcode::noerror);
  REQUIRE(count_type(decoded.authority, "NSEC") == 1);
  CHECK(count_type(decoded.authority, "RRSIG") == 2);  // over the SOA and the NSEC
}

TEST_CASE("a missing name is NOERROR with an NXNAME NSEC, NXDOMAIN only with CO") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  auto decoded = fixture::decode(
      ask(signed_zone.state(), signed_fixture::do_query("nope.example.", rrtype::a)));
  CHECK(decoded.rcode == wire::rcode::noerror);
  CHECK(count_type(decoded.authority, "NSEC") == 1);
  CHECK(count_type(decoded.authority, "RRSIG") == 2);
  decoded = fixture::decode(
      ask(signed_zone.state(), signed_fixture::do_query("nope.example.", rrtype::a, true)));
  CHECK(decoded.rcode == wire::rcode::nxdomain);
  CHECK(count_type(decoded.authority, "NSEC") == 1);
}

TEST_CASE("the on-demand signature of a missing name comes from the cache the second time") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const auto query = signed_fixture::do_query("cached.example.", rrtype::a);
  const auto before = dnssec::on_demand_counts();
  const auto first = ask(signed_zone.state(), query);
  const auto second = ask(signed_zone.state(), query);
  const auto after = dnssec::on_demand_counts();
  CHECK(after.misses == before.misses + 1);
  CHECK(after.hits == before.hits + 1);
  CHECK(first == second);  // ECDSA is randomised: equal bytes mean the cached signature
}

TEST_CASE("an explicit NXNAME query is FORMERR in a signed zone") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const auto decoded = fixture::decode(
      ask(signed_zone.state(), signed_fixture::do_query("www.example.", dnssec::type_nxname)));
  CHECK(decoded.rcode == wire::rcode::formerr);
}

TEST_CASE("a referral signs neither the NS at the cut nor the glue, and proves the DS absent") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const auto decoded = fixture::decode(
      ask(signed_zone.state(), signed_fixture::do_query("www.sub.example.", rrtype::a)));
  CHECK(count_type(decoded.authority, "NS") >= 1);
  CHECK(count_type(decoded.authority, "NSEC") == 1);
  CHECK(count_type(decoded.authority, "RRSIG") == 1);  // the NSEC's only
  CHECK(count_type(decoded.additional, "RRSIG") == 0);
}

TEST_CASE("a signed answer too large for the client's UDP size is truncated") {
  const std::string text(200, 'x');
  auto signed_zone =
      signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)),
                           {"big.example. 300 TXT \"" + text + "\" \"" + text + "\""});
  const auto plain =
      fixture::decode(ask(signed_zone.state(), fixture::query("big.example.", rrtype::txt,
                                                              {.edns = true, .udp_payload = 512})));
  CHECK_FALSE(plain.tc);
  auto query = fixture::query("big.example.", rrtype::txt, {.edns = true, .udp_payload = 512});
  query[query.size() - 4] |= 0x80;
  const auto decoded = fixture::decode(ask(signed_zone.state(), query));
  CHECK(decoded.tc);
  CHECK(decoded.answer.empty());
}
