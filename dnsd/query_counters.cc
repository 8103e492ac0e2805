// Query counters: slot tables and summing the per-thread blocks.
#include "dnsd/query_counters.hh"

#include "dnsd/wire/types.hh"

namespace dnsd {

std::size_t rcode_slot(std::uint16_t rcode) noexcept {
  switch (rcode) {
    case wire::rcode::noerror:
      return 0;
    case wire::rcode::formerr:
      return 1;
    case wire::rcode::servfail:
      return 2;
    case wire::rcode::nxdomain:
      return 3;
    case wire::rcode::notimp:
      return 4;
    case wire::rcode::refused:
      return 5;
    case wire::rcode::badvers:
      return 6;
    default:
      return 7;
  }
}

std::size_t qtype_slot(std::uint16_t qtype) noexcept {
  namespace t = wire::rrtype;
  switch (qtype) {
    case t::a:
      return 0;
    case t::ns:
      return 1;
    case t::cname:
      return 2;
    case t::soa:
      return 3;
    case t::ptr:
      return 4;
    case t::mx:
      return 5;
    case t::txt:
      return 6;
    case t::aaaa:
      return 7;
    case t::srv:
      return 8;
    case t::naptr:
      return 9;
    case t::ds:
      return 10;
    case t::dnskey:
      return 11;
    case t::svcb:
      return 12;
    case t::https:
      return 13;
    case t::caa:
      return 14;
    case t::any:
      return 15;
    case t::axfr:
      return 16;
    case t::ixfr:
      return 17;
    default:
      return 18;
  }
}

std::uint64_t QueryTotals::answered() const noexcept {
  std::uint64_t sum = 0;
  for (const auto& row : responses)
    for (const auto value : row) sum += value;
  return sum;
}

void QueryCounterBlock::add_to(QueryTotals& totals) const noexcept {
  for (std::size_t r = 0; r < responses_.size(); ++r)
    for (std::size_t q = 0; q < responses_[r].size(); ++q)
      totals.responses[r][q] += responses_[r][q].load(std::memory_order_relaxed);
  totals.truncated += truncated_.load(std::memory_order_relaxed);
  totals.dropped += dropped_.load(std::memory_order_relaxed);
  totals.rrl_slipped += rrl_slipped_.load(std::memory_order_relaxed);
  totals.rrl_dropped += rrl_dropped_.load(std::memory_order_relaxed);
}

QueryCounters::QueryCounters(std::size_t udp_threads, std::size_t tcp_threads)
    : udp_count_(udp_threads),
      tcp_count_(tcp_threads),
      udp_(std::make_unique<QueryCounterBlock[]>(udp_threads ? udp_threads : 1)),
      tcp_(std::make_unique<QueryCounterBlock[]>(tcp_threads ? tcp_threads : 1)) {}

QueryTotals QueryCounters::totals(Transport transport) const noexcept {
  QueryTotals totals;
  const bool udp = transport == Transport::udp;
  const std::size_t count = udp ? udp_count_ : tcp_count_;
  for (std::size_t i = 0; i < count; ++i) (udp ? udp_ : tcp_)[i].add_to(totals);
  return totals;
}

}  // namespace dnsd
