// The AF_XDP path: UDP queries to dnsd's port on one interface are taken off the driver by an
// XDP program (filter.bpf.c) and answered by one thread per receive queue, through the same
// answer_udp() as the socket path (udp_answer.hh), rate limiting included. Everything else on
// the interface, TCP included, is left to the kernel and dnsd's sockets.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/engine.hh"
#include "dnsd/query_counters.hh"
#include "dnsd/xdp/settings.hh"

namespace dnsd {
class RrlTable;
}

namespace dnsd::xdp {

class Filter;

class XdpServer {
 public:
  // Queue thread i is reader first_reader + i of `serving` and counts into counters(i) (a
  // block of `counters`, when given, sized settings.queues).
  XdpServer(Serving& serving, Settings settings, std::size_t first_reader,
            QueryCounterBlock* counters = nullptr);
  ~XdpServer();
  // Attaches the XDP program and opens one AF_XDP socket per queue; returns an error message
  // naming the interface and the reason, empty on success. On error nothing stays attached.
  std::string bind();
  void start();
  // Each thread notices within 200 ms; then the sockets close and the program is detached, so
  // the interface's UDP goes back to the kernel.
  void stop();
  // Answered and dropped since start, over every queue (for the log line at stop and tests).
  std::string summary() const;
  bool generic_mode() const noexcept;

 private:
  struct Worker;
  Serving& serving_;
  Settings settings_;
  std::size_t first_reader_;
  QueryCounterBlock* counters_;
  std::unique_ptr<Filter> filter_;
  std::unique_ptr<RrlTable> rrl_;
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace dnsd::xdp
