// TenantSim: a tenant_sim process for one test, plus its control API (mode, stats).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hh"

namespace test_support {

struct TenantSimOptions {
  std::string address = "127.0.0.2";  // loopback only
  std::string region = "eu";
  std::string cert_file;  // empty: plain HTTP
  std::string key_file;
  std::string user;  // empty: no Basic auth
  std::string password;
};

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string body;
};

// Plain HTTP/1.1 request with Connection: close, bounded by a receive timeout.
HttpReply http_request(const std::string& address, std::uint16_t port, const std::string& method,
                       const std::string& target);

class TenantSim {
 public:
  // Starts the simulator on free ports (port 0) and waits for its ready line.
  static std::optional<TenantSim> start(const TenantSimOptions& options, std::string& error);

  std::uint16_t port() const { return port_; }
  std::uint16_t control_port() const { return control_port_; }
  const std::string& address() const { return address_; }

  bool set_mode(const std::string& mode);  // "up", "503", "hang", "refuse", "slow?ms=N"
  std::optional<std::uint64_t> pings();    // GET /stats
  std::optional<std::uint64_t> connections();
  int stop() { return process_.stop(); }

 private:
  TenantSim(ChildProcess process, std::string address, std::uint16_t port, std::uint16_t control)
      : process_(std::move(process)),
        address_(std::move(address)),
        port_(port),
        control_port_(control) {}
  std::optional<std::uint64_t> stat(const std::string& key);

  ChildProcess process_;
  std::string address_;
  std::uint16_t port_ = 0;
  std::uint16_t control_port_ = 0;
};

std::string tenant_sim_path();  // from the TENANT_SIM_PATH compile definition

}  // namespace test_support
