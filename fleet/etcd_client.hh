// EtcdClient: a blocking etcd v3 client over etcd's JSON gateway (/v3/...), with libcurl.
// Holds endpoint failover, TLS, auth tokens and the watch stream; knows nothing of dnsd's model.
// Never on the query path: every call may block for up to the configured timeout per endpoint.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
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

struct KeyValue {
  std::string key, value;
  std::int64_t mod_revision = 0, lease = 0;
};
struct Range {
  std::vector<KeyValue> kvs;
  std::int64_t revision = 0;  // the store's revision when read (header.revision)
};
struct WatchEvent {
  enum class Type { put, remove } type = Type::put;
  KeyValue kv;  // for remove: key and mod_revision (the deletion's revision) only
};

class EtcdTransport;  // fleet/etcd_transport.hh: one curl handle per call in flight

// Thread safety: every method may be called from several threads at once; each call uses its own
// connection. stop() may come from any thread, including from inside a watch callback.
// Errors are "" on success or a short text for a log line ("etcd: <endpoint>: <why>"); they never
// contain the password or the auth token.
class EtcdClient {
 public:
  explicit EtcdClient(EtcdOptions options);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  std::string grant_lease(std::chrono::seconds ttl, std::int64_t& lease);
  // Error "lease expired" (exactly) when etcd no longer knows the lease.
  std::string keep_alive(std::int64_t lease);
  std::string revoke(std::int64_t lease);
  std::string put(const std::string& key, const std::string& value, std::int64_t lease = 0);
  std::string remove(const std::string& key);
  std::string get_prefix(const std::string& prefix, Range& out);

  // Streams every change under `prefix` after `after_revision` to on_events, one call per watch
  // response (in revision order, on the calling thread), until stop() (returns "") or an error
  // (returns it). A lost member, a member without leader or a silent stream make it reconnect to
  // another endpoint from the last revision seen; it returns an error only when every endpoint
  // failed in a row, or etcd compacted past the revision (error starts with "compacted").
  std::string watch(const std::string& prefix, std::int64_t after_revision,
                    const std::function<void(const std::vector<WatchEvent>&)>& on_events);

  // From any thread: a running watch returns "", calls in flight and later calls fail at once
  // with "stopped".
  void stop();

 private:
  std::unique_ptr<EtcdTransport> transport_;
};

}  // namespace fleet
