// UDP service: one thread per worker, each with its own io_context and its own socket per listen
// address (SO_REUSEPORT lets the kernel spread queries over them), and its own Scratch.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/engine.hh"

namespace dnsd {

class UdpServer {
 public:
  explicit UdpServer(const ServingState& state);
  ~UdpServer();
  // Binds every listen address for every worker; returns an error message, empty on success.
  std::string bind();
  void start();
  void stop();

 private:
  struct Worker;
  const ServingState& state_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace dnsd
