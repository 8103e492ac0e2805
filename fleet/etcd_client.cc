// EtcdClient: the key-value, lease and watch calls on top of EtcdTransport. The watch's
// reconnect loop lives here: it alone knows which revision to resume from.
#include "fleet/etcd_client.hh"

#include <fmt/format.h>

#include "fleet/etcd_json.hh"
#include "fleet/etcd_transport.hh"

namespace fleet {

using nlohmann::json;
using Failure = etcd_json::Failure;

namespace {

// nlohmann's accessors throw on a type mismatch; an odd answer is an error value, not a throw.
template <typename Read>
std::string reading(const char* what, Read&& read) {
  try {
    if (read()) return "";
  } catch (const json::exception&) {
  }
  return fmt::format("etcd: {}: unexpected answer", what);
}

}  // namespace

EtcdClient::EtcdClient(EtcdOptions options)
    : transport_(std::make_unique<EtcdTransport>(std::move(options))) {}

EtcdClient::~EtcdClient() = default;

void EtcdClient::stop() { transport_->stop(); }

std::string EtcdClient::grant_lease(std::chrono::seconds ttl, std::int64_t& lease) {
  json answer;
  if (auto error = transport_->call("/v3/lease/grant", etcd_json::lease_grant_request(ttl), answer);
      !error.empty()) {
    return error;
  }
  return reading("lease grant",
                 [&] { return etcd_json::read_int64(answer, "ID", lease) && lease != 0; });
}

std::string EtcdClient::keep_alive(std::int64_t lease) {
  json answer;
  if (auto error =
          transport_->call("/v3/lease/keepalive", etcd_json::lease_id_request(lease), answer);
      !error.empty()) {
    return error;
  }
  std::int64_t ttl = 0;
  if (auto error = reading("lease keepalive",
                           [&] {
                             const auto result = answer.find("result");
                             return result != answer.end() && result->is_object() &&
                                    etcd_json::read_int64(*result, "TTL", ttl);
                           });
      !error.empty()) {
    return error;
  }
  // etcd answers a lease it no longer has with TTL 0 (the field left out), not with an error.
  return ttl > 0 ? "" : "lease expired";
}

std::string EtcdClient::revoke(std::int64_t lease) {
  json answer;
  return transport_->call("/v3/lease/revoke", etcd_json::lease_id_request(lease), answer);
}

std::string EtcdClient::put(const std::string& key, const std::string& value, std::int64_t lease) {
  json answer;
  return transport_->call("/v3/kv/put", etcd_json::put_request(key, value, lease), answer);
}

std::string EtcdClient::remove(const std::string& key) {
  json answer;
  return transport_->call("/v3/kv/deleterange", etcd_json::delete_request(key), answer);
}

std::string EtcdClient::get_prefix(const std::string& prefix, Range& out) {
  json answer;
  if (auto error =
          transport_->call("/v3/kv/range", etcd_json::range_prefix_request(prefix), answer);
      !error.empty()) {
    return error;
  }
  return reading("range", [&] { return etcd_json::read_range(answer, out); });
}

// One connection of a watch: reads its messages, hands events on and advances `next`, the revision
// a reconnect resumes from.
struct WatchRound {
  WatchRound(const std::function<void(const std::vector<WatchEvent>&)>& on_events,
             const EtcdTransport& transport, std::int64_t& next, const std::string& endpoint)
      : on_events(on_events), transport(transport), next(next), endpoint(endpoint) {}

  const std::function<void(const std::vector<WatchEvent>&)>& on_events;
  const EtcdTransport& transport;
  std::int64_t& next;
  const std::string& endpoint;
  bool created = false;
  std::string final_error;       // ends the watch (compacted)
  EtcdTransport::Attempt ended;  // ends this connection
  etcd_json::WatchResponse response;

  bool on_object(const json& object) {
    std::string message;
    if (const Failure failure = etcd_json::failure_of(object, message); failure != Failure::none) {
      ended = {failure, fmt::format("etcd: {}: watch: {}", endpoint, message)};
      return false;
    }
    if (!reading("watch", [&] {
           return etcd_json::read_watch_response(object, response);
         }).empty()) {
      ended = {Failure::unavailable, fmt::format("etcd: {}: watch: unexpected answer", endpoint)};
      return false;
    }
    if (response.canceled) return on_canceled();
    if (response.created) {
      created = true;
      if (next == 0) next = response.revision + 1;
    }
    if (!response.events.empty()) {
      next = response.events.back().kv.mod_revision + 1;
      on_events(response.events);
    } else if (!response.created && next != 0 && response.revision >= next) {
      next = response.revision + 1;  // a progress notification: nothing missed up to here
    }
    return !transport.stopped();
  }

  bool on_canceled() {
    if (response.compact_revision > 0) {
      final_error = fmt::format("compacted: etcd keeps revisions from {} on, asked for {}",
                                response.compact_revision, next);
    } else {
      const bool auth = response.cancel_reason.find("Unauthenticated") != std::string::npos;
      ended = {auth ? Failure::auth : Failure::unavailable,
               fmt::format("etcd: {}: watch canceled: {}", endpoint, response.cancel_reason)};
    }
    return false;
  }
};

std::string EtcdClient::watch(
    const std::string& prefix, std::int64_t after_revision,
    const std::function<void(const std::vector<WatchEvent>&)>& on_events) {
  EtcdTransport& transport = *transport_;
  const std::size_t count = transport.endpoint_count();
  if (count == 0) return "etcd: no endpoints configured";
  std::int64_t next = after_revision > 0 ? after_revision + 1 : 0;  // 0: from now on
  std::size_t failures = 0;  // connections in a row that never got the watch created
  std::chrono::steady_clock::time_point first_failure;
  int refused_tokens = 0;  // in a row: a fresh token refused too is not an expired one
  for (;;) {
    if (transport.stopped()) return "";
    const std::size_t endpoint = transport.current();
    WatchRound round(on_events, transport, next, transport.options().endpoints[endpoint]);
    const auto began = std::chrono::steady_clock::now();
    round.ended = transport.ensure_token(endpoint);
    if (round.ended.failure == Failure::none) {
      const auto attempt =
          transport.stream(endpoint, "/v3/watch", etcd_json::watch_create_request(prefix, next),
                           [&round](const json& object) { return round.on_object(object); });
      if (round.ended.failure == Failure::none) round.ended = attempt;
    }
    if (transport.stopped()) return "";
    if (!round.final_error.empty()) return round.final_error;
    if (round.created) failures = 0, refused_tokens = 0;
    switch (round.ended.failure) {
      case Failure::none:  // cannot happen: a stream only ends by a failure or stop()
      case Failure::unavailable:
        break;
      case Failure::other:
        return round.ended.error;
      case Failure::auth:
        if (transport.options().user.empty() || ++refused_tokens > 1) return round.ended.error;
        transport.forget_token();
        continue;
    }
    if (failures++ == 0) first_failure = std::chrono::steady_clock::now();
    transport.failed(endpoint);
    if (failures >= count &&
        std::chrono::steady_clock::now() - first_failure >= transport.options().timeout) {
      return fmt::format("etcd: watch: no endpoint answered; last: {}", round.ended.error);
    }
    // A pause after each round, and after a connection that ended as soon as it began (a member
    // that accepts watches and cancels them), so a reconnect loop never spins.
    const bool brief = std::chrono::steady_clock::now() - began < std::chrono::seconds(1);
    if ((failures % count == 0 || brief) && !transport.pause(std::chrono::milliseconds(100))) {
      return "";
    }
  }
}

}  // namespace fleet
