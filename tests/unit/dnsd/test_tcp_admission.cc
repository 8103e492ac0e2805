// tcp_admission.hh: who makes room for a new TCP connection (issue 12), as tables of counts.
#include <doctest/doctest.h>

#include "dnsd/tcp_admission.hh"

using namespace dnsd::tcp_admission;
using namespace std::chrono_literals;

namespace {

routing::ClientInfo v4(std::uint8_t last) {
  routing::ClientInfo info;
  info.address = {127, 0, 0, last};
  return info;
}

routing::ClientInfo v6(std::uint8_t eighth, std::uint8_t last) {
  routing::ClientInfo info;
  info.is_ipv6 = true;
  info.address = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, eighth, 0, 0, 0, 0, 0, 0, 0, last};
  return info;
}

}  // namespace

TEST_CASE("admission: IPv4 clients are counted per address, IPv6 clients per /64") {
  CHECK(client_key(v4(1)) == client_key(v4(1)));
  CHECK_FALSE(client_key(v4(1)) == client_key(v4(2)));
  CHECK(client_key(v6(1, 1)) == client_key(v6(1, 2)));
  CHECK_FALSE(client_key(v6(1, 1)) == client_key(v6(2, 1)));
  // 127.0.0.1 and the IPv6 address starting with the same bytes are different clients.
  routing::ClientInfo same_bytes = v4(1);
  same_bytes.is_ipv6 = true;
  CHECK_FALSE(client_key(v4(1)) == client_key(same_bytes));
}

TEST_CASE("admission: a quarter of the cap is reserved and the per-client limit fits the cap") {
  const Limits l = limits(256, 32);
  CHECK(l.max_connections == 256);
  CHECK(l.per_client == 32);
  CHECK(l.reserved == 64);
  CHECK(limits(16, 32).per_client == 16);
  CHECK(limits(3, 1).reserved == 0);
}

TEST_CASE("admission: the eviction scope follows the cap, the reserve and the client's count") {
  const Limits l = limits(256, 32);
  struct Row {
    unsigned total, own;
    Scope scope;
  };
  const Row rows[] = {
      {0, 0, Scope::none},     // an empty server
      {100, 3, Scope::none},   // below the reserve, below the limit
      {100, 31, Scope::none},  // one below the per-client limit
      {100, 32, Scope::own},   // at the per-client limit: one of its own goes
      {191, 31, Scope::none},  // the reserve starts at 192
      {192, 4, Scope::own},    // in the reserve a client with 4 must recycle its own
      {192, 3, Scope::none},   // a client with few still gets a reserved slot
      {255, 0, Scope::none},   // the last slot
      {256, 0, Scope::any},    // the cap: a newcomer with few takes the oldest anyone's
      {256, 3, Scope::any},
      {256, 4, Scope::own},  // a client with many never takes another's slot
      {300, 40, Scope::own},
  };
  for (const Row& row : rows) {
    CAPTURE(row.total);
    CAPTURE(row.own);
    CHECK(eviction_scope(l, row.total, row.own) == row.scope);
  }
}

TEST_CASE("admission: the connection unused the longest closes first, whatever it began") {
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  const Candidate old_idle{Standing::idle, t0};
  const Candidate older_partial{Standing::partial, t0 - 5s};
  const Candidate new_idle{Standing::idle, t0 + 5s};
  CHECK(closes_before(older_partial, old_idle));
  CHECK(closes_before(old_idle, new_idle));
  CHECK_FALSE(closes_before(new_idle, older_partial));
}

TEST_CASE("admission: a connection that is answering closes after every other") {
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  const Candidate oldest_answering{Standing::answering, t0 - 1h};
  const Candidate newest_idle{Standing::idle, t0};
  const Candidate newest_partial{Standing::partial, t0};
  CHECK(closes_before(newest_idle, oldest_answering));
  CHECK(closes_before(newest_partial, oldest_answering));
  CHECK_FALSE(closes_before(oldest_answering, newest_idle));
}
