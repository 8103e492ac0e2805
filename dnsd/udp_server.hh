// UDP service: for every worker and every listen address, one socket (SO_REUSEPORT lets the
// kernel spread queries over them) served by one thread that receives and sends in batches
// (recvmmsg/sendmmsg), with its own buffers allocated once at start.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/engine.hh"
#include "dnsd/query_counters.hh"

namespace dnsd {

class RrlTable;
class UpdateQueue;
namespace dnstap {
class Sink;
}

class UdpServer {
 public:
  // Query threads are readers first_reader, first_reader + 1, ... of `serving`; reader_count()
  // of them. Listen addresses and workers come from the state current at construction.
  // Query thread i counts into counters->udp(i) when there is one (sized reader_count()).
  UdpServer(Serving& serving, std::size_t first_reader, QueryCounters* counters = nullptr);
  static std::size_t reader_count(const ServerConfig& server) noexcept;
  ~UdpServer();
  // Query thread i logs to dnstap->tap(i) (call before bind(); null: no dnstap).
  void set_dnstap(dnstap::Sink* dnstap) noexcept { dnstap_ = dnstap; }
  // Binds every listen address for every worker; returns an error message, empty on success.
  std::string bind();
  // UPDATE requests go to `updates` (call before start()); without it the engine refuses them.
  void set_updates(UpdateQueue* updates) noexcept { updates_ = updates; }
  void start();
  // Graceful: each thread notices within 200 ms, then answers every query already waiting in
  // its socket (for at most 2 s), so nothing sent before stop() goes unanswered.
  void stop();

 private:
  struct Worker;
  Serving& serving_;
  std::size_t first_reader_;
  QueryCounters* counters_;
  UpdateQueue* updates_ = nullptr;
  dnstap::Sink* dnstap_ = nullptr;
  std::unique_ptr<RrlTable> rrl_;  // response rate limiting, shared by the workers
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace dnsd
