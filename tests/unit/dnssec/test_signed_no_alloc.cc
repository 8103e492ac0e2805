// Proves signed answers allocate nothing on the query path: positive answers and NODATA use
// signatures made ahead, and a missing name's NSEC signature, once cached, is a cache hit.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <new>

#include "dnsd/wire/types.hh"
#include "signed_fixture.hh"

namespace {
std::atomic<std::size_t> allocations{0};
}

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

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
    const std::size_t before = allocations.load();
    for (int i = 0; i < 200; ++i) {
      const Reply reply = answer(state, *scratch, packet, Client{});
      REQUIRE(reply.kind == Reply::Kind::send);
    }
    CHECK(allocations.load() == before);
  }
}
