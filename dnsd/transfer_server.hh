// The transfer thread: AXFR/IXFR connections handed over by the TCP server run here, on their
// own io_context, so a transfer never delays query answering. At most max_transfers at once;
// a client that does not read a message within the write timeout is closed.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <thread>

#include "dnsd/xfr/source.hh"
#include "routing/pick_types.hh"

namespace dnsd {

class TransferServer {
 public:
  TransferServer(const xfr::ZoneSource& source, unsigned max_transfers,
                 std::chrono::milliseconds write_timeout);
  ~TransferServer();
  void start();
  // Closes every transfer connection and joins the thread.
  void stop();

  // From the TCP thread: takes over the connected socket `fd` (TCP, of the client's address
  // family) and the request (copied), or returns false, leaving `fd` to the caller, when
  // max_transfers are already running.
  bool offer(int fd, std::span<const std::uint8_t> request, const routing::ClientInfo& client);
  unsigned running() const noexcept { return running_.load(); }

 private:
  struct Impl;
  std::atomic<unsigned> running_{0};  // before impl_: sessions destroyed with it count down
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace dnsd
