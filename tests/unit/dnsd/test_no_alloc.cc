// Proves the query path allocates nothing after warm-up: operator new is replaced by a counting
// one, and every kind of answer is run many times with the counter watched.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "dnsd/query_counters.hh"
#include "dnsd/wire/types.hh"
#include "zone_fixture.hh"

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

TEST_CASE("no allocation: every answer kind, after warm-up") {
  routing::Model model;
  routing::Profile profile;
  profile.name = "ci.example.";
  for (int i = 0; i < 2; ++i) {
    routing::Endpoint endpoint;
    endpoint.name = i ? "us" : "eu";
    endpoint.target = i ? "us.tenant." : "eu.tenant.";
    const auto target = *wire::Name::from_text(endpoint.target);
    endpoint.target_wire.assign(target.wire().begin(), target.wire().end());
    endpoint.health_id = static_cast<routing::EndpointId>(i);
    profile.endpoints.push_back(endpoint);
  }
  model.profiles.push_back(profile);
  model.endpoint_count = 2;
  auto served = fixture::serve("example.",
                               {"example. 3600 SOA ns1.example. h.example. 1 3600 600 86400 300",
                                "example. 3600 NS ns1.example.", "ns1.example. 3600 A 192.0.2.1",
                                "www.example. 300 A 192.0.2.80", "alias.example. 300 CNAME www.example.",
                                "*.wild.example. 60 A 192.0.2.99", "sub.example. 300 NS ns.sub.example.",
                                "ns.sub.example. 300 A 192.0.2.53"},
                               model, {{"ci.example.", 0}});
  served->server.chaos_version = "dnsd";
  const auto state = served->state();
  auto scratch = std::make_unique<Scratch>();
  // The servers count every reply: that must not allocate either.
  QueryCounters counters(1, 0);

  struct Case {
    const char* qname;
    std::uint16_t qtype;
    std::uint16_t qclass;
  };
  const Case cases[] = {{"www.example.", rrtype::a, 1},    {"alias.example.", rrtype::a, 1},
                        {"nope.example.", rrtype::a, 1},   {"www.example.", rrtype::mx, 1},
                        {"x.wild.example.", rrtype::a, 1}, {"a.sub.example.", rrtype::a, 1},
                        {"ci.example.", rrtype::a, 1},     {"example.", rrtype::ns, 1},
                        {"example.org.", rrtype::a, 1},    {"version.bind.", rrtype::txt, 3}};
  for (const auto& c : cases) {
    CAPTURE(c.qname);
    const auto packet = fixture::query(c.qname, c.qtype, {.edns = true}, c.qclass);
    answer(state, *scratch, packet, Client{});  // warm-up: function-local statics
    const std::size_t before = allocations.load();
    for (int i = 0; i < 1000; ++i) {
      if (i == 500) served->health->store_probed(0, routing::MonitorStatus::degraded, routing::Reason::timeout, 0);
      const Reply reply = answer(state, *scratch, packet, Client{});
      counters.udp(0).record(reply);
      REQUIRE(reply.kind == Reply::Kind::send);
    }
    CHECK(allocations.load() == before);
    served->health->store_probed(0, routing::MonitorStatus::online, routing::Reason::none, 0);
  }
  CHECK(counters.totals(Transport::udp).answered() == 1000 * std::size(cases));
}
