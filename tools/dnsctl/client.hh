// Client: one HTTP request to dnsd's admin API with the bearer token (libcurl). Turns transport
// failures into messages an operator can act on; never prints the token.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

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
  // A GET whose body arrives over time (server-sent events): on_data gets each piece of a 200
  // answer as it comes and returns false to end the transfer; stop() is asked at least once a
  // second and ends it when true. `headers` are extra request headers ("Last-Event-ID: 7").
  // A connection silent for 45 s (three missed keepalives) counts as lost. The result's body
  // holds the answer only when it is not a 200 (at most 4 KiB).
  HttpResult stream(const std::string& path, const std::vector<std::string>& headers,
                    const std::function<bool(std::string_view)>& on_data,
                    const std::function<bool()>& stop) const;
  const std::string& server() const noexcept { return server_; }

 private:
  std::string server_;  // "127.0.0.1:8053" or "[::1]:8053"
  std::string token_;
};

// Percent-encodes one path segment or query value.
std::string escape(const std::string& text);

}  // namespace dnsctl
