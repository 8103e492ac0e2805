// Proves signed answers allocate nothing on the query path: positive answers and NODATA use
// signatures made ahead, and a missing name's NSEC signature, once cached, is a cache hit.
#include <doctest/doctest.h>

#include <ctime>

#include "dnsd/wire/types.hh"
#include "signed_fixture.hh"
#include "tests/support/counting_new.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

TEST_CASE("no allocation: signed answers with DO, after warm-up") {
  auto signed_zone = signed_fixture::make(static_cast<std::int64_t>(std::time(nullptr)));
  const ServingState state = signed_zone.state();
  auto scratch = std::make_unique<Scratch>();
  struct Case {
    const char* qname;
    std::uint16_t qtype;
  };
  const Case cases[] = {{"www.example.", rrtype::a},   {"www.example.", rrtype::txt},
                        {"nope.example.", rrtype::a},  {"example.", rrtype::dnskey},
                        {"a.sub.example.", rrtype::a}, {"x.wild.example.", rrtype::a},
                        {"example.", rrtype::soa}};
  for (const auto& c : cases) {
    CAPTURE(c.qname);
    const auto packet = signed_fixture::do_query(c.qname, c.qtype);
    answer(state, *scratch, packet, Client{});  // warm-up: the on-demand cache fills
    const std::size_t before = dnstest::allocation_count();
    for (int i = 0; i < 200; ++i) {
      const Reply reply = answer(state, *scratch, packet, Client{});
      REQUIRE(reply.kind == Reply::Kind::send);
    }
    CHECK(dnstest::allocation_count() == before);
  }
}
