// EtcdOptions: where etcd is and how to reach it. Configured by value at construction.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace fleet {

struct EtcdOptions {
  std::vector<std::string> endpoints;        // "http://127.0.0.1:2379", "https://[::1]:2379"
  std::string ca_file, cert_file, key_file;  // TLS with client certificates, optional
  std::string user, password;                // etcd auth (RBAC), optional; password never logged
  std::chrono::milliseconds timeout{2000};   // per request and endpoint (connect included)
  // A watch that receives nothing for this long is taken for dead and reconnects to the next
  // endpoint from the last revision seen. Asks etcd for progress notifications too, so on a
  // cluster whose --experimental-watch-progress-notify-interval is shorter, a quiet watch
  // never reconnects; otherwise it costs one reconnect per window.
  std::chrono::milliseconds watch_silence{std::chrono::seconds{30}};
};

}  // namespace fleet
