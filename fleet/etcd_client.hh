// EtcdClient: a blocking etcd v3 client over etcd's JSON gateway (/v3/...), with libcurl.
// Holds endpoint failover, TLS, auth tokens and the watch stream; knows nothing of dnsd's model.
// Never on the query path: every call may block for up to the configured timeout per endpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fleet/etcd_options.hh"
#include "fleet/etcd_types.hh"

namespace fleet {

class EtcdTransport;  // fleet/etcd_transport.hh: one curl handle per call in flight

// Thread safety: every method may be called from several threads at once; each call uses its own
// connection. stop() may come from any thread, including from inside a watch callback. Destroy
// the client only after every call has returned (stop() first makes that quick).
// Errors are "" on success or a short text for a log line ("etcd: <endpoint>: <why>"); they never
// contain the password or the auth token.
// Bounds: a call moves on to the next endpoint on a connection error or an unavailable answer (no
// leader, leader changed, timed out, member closing), round after round, until one answers or
// options.timeout has passed with every endpoint tried; each try is bounded by options.timeout,
// so a call returns within (endpoints + 1) × timeout. etcd refusing the request itself
// (permission denied, lease not found, HTTP 4xx) is returned at once.
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
