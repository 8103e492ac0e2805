// TinyDns: one question in, one answer out (RFC 1035 §4.1 layout, no compression on input).
#include "tests/support/tiny_dns.hh"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace test_support {
namespace {

int bind_udp(const std::string& address, std::uint16_t& port) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  socklen_t len = sizeof sa;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  port = ntohs(sa.sin_port);
  return fd;
}

}  // namespace

std::uint16_t closed_udp_port(const std::string& address) {
  std::uint16_t port = 0;
  const int fd = bind_udp(address, port);
  if (fd >= 0) close(fd);
  return port;
}

TinyDns::TinyDns(const std::string& address) : address_(address) {
  fd_ = bind_udp(address, port_);
  if (fd_ >= 0) thread_ = std::thread([this] { serve(); });
}

TinyDns::~TinyDns() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

std::string TinyDns::server() const { return address_ + ":" + std::to_string(port_); }

void TinyDns::set_a(const std::string& name, const std::string& ipv4, std::uint32_t ttl) {
  Record r{};
  inet_pton(AF_INET, ipv4.c_str(), r.address);
  r.ttl = ttl;
  std::lock_guard lock(mutex_);
  records_[name] = r;
}

void TinyDns::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  records_.erase(name);
}

void TinyDns::serve() {
  std::uint8_t in[512], out[512];
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;  // 50 ms: how long stop() may wait, not a test delay
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    const auto n = recvfrom(fd_, in, sizeof in, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 12) continue;
    ++queries_;
    if (const auto size = answer(in, static_cast<std::size_t>(n), out))
      sendto(fd_, out, size, 0, reinterpret_cast<sockaddr*>(&from), len);
  }
}

std::size_t TinyDns::answer(const std::uint8_t* query, std::size_t size, std::uint8_t* out) {
  // Question name: labels up to the root, lower-cased into dotted text.
  std::size_t at = 12;
  std::string name;
  while (at < size && query[at] != 0) {
    const std::size_t len = query[at];
    if (len > 63 || at + 1 + len >= size) return 0;
    if (!name.empty()) name += '.';
    for (std::size_t i = 0; i < len; ++i)
      name += static_cast<char>(std::tolower(query[at + 1 + i]));
    at += 1 + len;
  }
  if (at + 5 > size) return 0;
  const std::size_t question_end = at + 5;
  const std::uint16_t qtype = static_cast<std::uint16_t>(query[at + 1] << 8 | query[at + 2]);

  std::lock_guard lock(mutex_);
  const auto it = records_.find(name);
  const bool answer_a = it != records_.end() && qtype == 1;
  std::memcpy(out, query, question_end);
  out[2] = static_cast<std::uint8_t>(0x84 | (query[2] & 0x01));  // QR, AA, copy RD
  out[3] = it == records_.end() ? 3 : 0;                         // NXDOMAIN or NOERROR
  out[4] = 0, out[5] = 1;                                        // QDCOUNT
  out[6] = 0, out[7] = answer_a ? 1 : 0;                         // ANCOUNT
  std::memset(out + 8, 0, 4);                                    // NSCOUNT, ARCOUNT
  std::size_t end = question_end;
  if (answer_a) {
    const std::uint32_t ttl = it->second.ttl;
    const std::uint8_t rr[] = {0xc0,
                               0x0c,
                               0,
                               1,
                               0,
                               1,
                               static_cast<std::uint8_t>(ttl >> 24),
                               static_cast<std::uint8_t>(ttl >> 16),
                               static_cast<std::uint8_t>(ttl >> 8),
                               static_cast<std::uint8_t>(ttl),
                               0,
                               4};
    std::memcpy(out + end, rr, sizeof rr);
    std::memcpy(out + end + sizeof rr, it->second.address, 4);
    end += sizeof rr + 4;
  }
  return end;
}

}  // namespace test_support
