// TCP service (RFC 7766): 2-byte length framing, pipelined queries answered in order, an idle
// timeout between messages and an I/O timeout within one, a cap on connections and a limit per
// client (tcp_admission.hh says who makes room for a newcomer).
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "dnsd/engine.hh"
#include "dnsd/query_counters.hh"

namespace dnsd {

class TransferServer;
class UpdateQueue;
namespace dnstap {
class Tap;
}

class TcpServer {
 public:
  // The TCP thread is reader `reader` of `serving`. Listen addresses and TCP limits come from
  // the state current at construction. Answers are counted into counters->tcp(0) if given.
  TcpServer(Serving& serving, std::size_t reader, QueryCounters* counters = nullptr);
  ~TcpServer();
  std::string bind();  // error message, empty on success
  // AXFR/IXFR queries hand their connection to `transfers` (call before start()); without it,
  // or when it is full, they get the engine's answer (REFUSED).
  void set_transfers(TransferServer* transfers) noexcept;
  // UPDATE requests hand their connection to `updates` (call before start()), which answers
  // and closes it; without it, or when it is full, they get the engine's answer (REFUSED).
  void set_updates(UpdateQueue* updates) noexcept;
  // Queries and answers are logged to `tap` (call before start(); null: no dnstap).
  void set_dnstap(dnstap::Tap* tap) noexcept;
  void start();  // one thread runs every connection
  // Graceful: stops accepting, closes idle connections at once, lets one that is mid-query (or
  // has a query waiting in the kernel) write its answer first, for at most 2 s (a half-sent
  // one also ends at its I/O timeout); then joins.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace dnsd
