// Client: one HTTP request to dnsd's admin API with the bearer token (libcurl). Turns transport
// failures into messages an operator can act on; never prints the token.
#pragma once

#include <string>

namespace dnsctl {

struct HttpResult {
  bool reached = false;  // false: no HTTP response at all (see error)
  long status = 0;
  std::string body;
  std::string error;  // why the server was not reached
};

class Client {
 public:
  Client(std::string server, std::string token)
      : server_(std::move(server)), token_(std::move(token)) {}
  HttpResult request(const std::string& method, const std::string& path) const;
  const std::string& server() const noexcept { return server_; }

 private:
  std::string server_;  // "127.0.0.1:8053" or "[::1]:8053"
  std::string token_;
};

// Percent-encodes one path segment or query value.
std::string escape(const std::string& text);

}  // namespace dnsctl
