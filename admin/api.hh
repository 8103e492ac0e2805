// Api: the admin API's routes, behind the bearer token. Maps each request onto the Runtime and
// renders the answer; runs on the HttpServer's thread.
//   GET  /api/v1/status
//   POST /api/v1/endpoints/{profile}/{endpoint}/disable[?from=TIME][&until=TIME]
//   POST /api/v1/endpoints/{profile}/{endpoint}/enable
//   POST /api/v1/reload
//   GET  /api/v1/explain?profile=P&client=ADDR[&ecs=PREFIX]
//   GET  /api/v1/secondaries[?check=1][&zone=Z]   propagation of each published zone (or of
//        zone Z alone; 404 if it is not published); check=1 first asks every secondary's SOA
//        (all zones and secondaries at once, within k_soa_check)
//   GET  /api/v1/events[?since=SEQ]   server-sent events (event_stream.hh); Last-Event-ID
//        works as since; the 9th concurrent stream gets 503
//   GET  /metrics   Prometheus text format; also with [admin] metrics_token_file's token, which
//        every other route refuses (403)
//   GET  /, /status.js, /status.css   the status page, without a token (it holds no data)
// Every request must carry an allowed Host (request_guard.hh); every response carries the
// browser-hardening headers.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "admin/event_stream.hh"
#include "admin/http_server.hh"
#include "control/runtime.hh"

namespace admin {

// Constant-time comparison of a presented token with the configured one (both hashed first,
// so neither the content nor the length of the secret leaks through timing).
bool token_matches(std::string_view presented, const routing::Secret& token);

// What main() adds to the routes: the reload it also runs on SIGHUP (systemd is told, the
// metrics count it) and the metrics page. Empty: runtime.reload(), and no /metrics.
struct ApiHooks {
  std::function<control::ReloadReport()> reload;
  std::function<std::string()> metrics;
};

// The whole of a ?check=1: every secondary's SOA for every zone, asked at once.
inline constexpr std::chrono::milliseconds k_soa_check{1000};

class Api {
 public:
  explicit Api(control::Runtime& runtime, ApiHooks hooks = {})
      : runtime_(runtime), hooks_(std::move(hooks)), streams_(runtime.events()) {}
  // `stream` null: no streaming here (GET /api/v1/events answers 400).
  Response handle(const Request& request, std::unique_ptr<Stream>* stream = nullptr);

 private:
  Response route(const Request& request, const conf::AdminConfig& config,
                 std::unique_ptr<Stream>* stream);
  Response events(const Request& request, std::unique_ptr<Stream>* stream);
  bool authorized(const Request& request, const routing::Secret& token) const;
  Response endpoint_action(const Request& request, std::string_view path);
  // GET zones/{zone}/keys; POST zones/{zone}/keys/{tag}/{publish|activate|retire|remove}.
  Response zone_keys(const Request& request, std::string_view path, bool post);
  Response explain(const Request& request);
  Response metrics_reply(const Request& request);
  Response secondaries(const Request& request);

  control::Runtime& runtime_;
  ApiHooks hooks_;
  EventStreams streams_;
};

}  // namespace admin
