// TenantSim: process start, ready-line parsing, control requests over plain sockets.
#include "tests/support/tenant_sim_client.hh"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <regex>

namespace test_support {

std::string tenant_sim_path() { return TENANT_SIM_PATH; }

HttpReply http_request(const std::string& address, std::uint16_t port, const std::string& method,
                       const std::string& target) {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return reply;
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    const auto request = method + " " + target + " HTTP/1.1\r\nHost: " + address +
                         "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      std::string raw;
      char buf[1024];
      for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
        raw.append(buf, static_cast<std::size_t>(n));
      if (raw.starts_with("HTTP/1.1 ") && raw.size() >= 12)
        reply.status = std::stoi(raw.substr(9, 3));
      if (const auto split = raw.find("\r\n\r\n"); split != std::string::npos)
        reply.body = raw.substr(split + 4);
    }
  }
  close(fd);
  return reply;
}

std::optional<TenantSim> TenantSim::start(const TenantSimOptions& o, std::string& error) {
  std::vector<std::string> argv{tenant_sim_path(), "--listen", o.address + ":0", "--control",
                                o.address + ":0",  "--region", o.region};
  if (!o.cert_file.empty())
    argv.insert(argv.end(), {"--tls-cert", o.cert_file, "--tls-key", o.key_file});
  if (!o.user.empty()) argv.insert(argv.end(), {"--user", o.user, "--password", o.password});
  auto process = ChildProcess::spawn(argv, error);
  if (!process) return std::nullopt;
  const auto line = process->read_line(std::chrono::seconds(5));
  static const std::regex ready(R"(listening on ([0-9.]+):(\d+) .*control on ([0-9.]+):(\d+))");
  std::smatch m;
  if (!line || !std::regex_search(*line, m, ready)) {
    error = "tenant_sim did not report ready: " + line.value_or("(nothing)");
    return std::nullopt;
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(m[2]));
  const auto control = static_cast<std::uint16_t>(std::stoi(m[4]));
  return TenantSim(std::move(*process), o.address, port, control);
}

bool TenantSim::set_mode(const std::string& mode) {
  return http_request(address_, control_port_, "POST", "/mode/" + mode).status == 200;
}

std::optional<std::uint64_t> TenantSim::stat(const std::string& key) {
  const auto reply = http_request(address_, control_port_, "GET", "/stats");
  const auto at = reply.body.find("\"" + key + "\":");
  if (reply.status != 200 || at == std::string::npos) return std::nullopt;
  const char* first = reply.body.data() + at + key.size() + 3;
  std::uint64_t value = 0;
  if (std::from_chars(first, reply.body.data() + reply.body.size(), value).ec != std::errc{})
    return std::nullopt;
  return value;
}

std::optional<std::uint64_t> TenantSim::pings() { return stat("pings"); }
std::optional<std::uint64_t> TenantSim::connections() { return stat("connections"); }

}  // namespace test_support
