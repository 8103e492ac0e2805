// TinyDns: a stub authoritative DNS responder over UDP on loopback, for tests that resolve
// tenant names through resolver.servers before dnsd can serve them. Answers A records from a
// table (AAAA: NODATA), NXDOMAIN for unknown names. Not a DNS server: no EDNS, no TCP.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace test_support {

class TinyDns {
 public:
  explicit TinyDns(const std::string& address = "127.0.0.1");  // binds a free port
  ~TinyDns();
  TinyDns(const TinyDns&) = delete;
  TinyDns& operator=(const TinyDns&) = delete;

  bool ok() const { return fd_ >= 0; }
  std::string server() const;  // "127.0.0.1:PORT" for ResolverSettings::servers
  // name: lower case, no trailing dot.
  void set_a(const std::string& name, const std::string& ipv4, std::uint32_t ttl);
  void remove(const std::string& name);
  std::uint64_t queries() const { return queries_.load(); }

 private:
  struct Record {
    std::uint8_t address[4];
    std::uint32_t ttl;
  };
  void serve();
  std::size_t answer(const std::uint8_t* query, std::size_t size, std::uint8_t* out);

  int fd_ = -1;
  std::string address_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::map<std::string, Record> records_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> queries_{0};
  std::thread thread_;
};

// A loopback UDP port with nothing listening on it (bound once, then closed).
std::uint16_t closed_udp_port(const std::string& address = "127.0.0.1");

}  // namespace test_support
