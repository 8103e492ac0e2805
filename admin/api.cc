// Api: authentication, routing and query-string parsing for the admin API (see api.hh).
#include "admin/api.hh"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <charconv>
#include <map>

#include "admin/propagation_json.hh"
#include "admin/request_guard.hh"
#include "admin/status_json.hh"
#include "admin/status_page.hh"
#include "admin/window_time.hh"
#include "admin/zone_keys_json.hh"
#include "control/time_text.hh"

namespace admin {

using control::WallClock;

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

// Beast (Boost 1.74) speaks boost::string_view.
std::string_view std_view(boost::beast::string_view text) { return {text.data(), text.size()}; }
boost::beast::string_view beast_view(std::string_view text) { return {text.data(), text.size()}; }

Response reply(const Request& request, http::status status, std::string body,
               std::string_view type = "application/json") {
  Response response{status, request.version()};
  response.set(http::field::content_type, beast_view(type));
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  return response;
}

// Invalid UTF-8 (an error quoting a garbage file) is replaced, not thrown at the client as a 500.
Response json_reply(const Request& request, http::status status, const json& body) {
  return reply(request, status, body.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

Response error_reply(const Request& request, http::status status, const std::string& message) {
  return json_reply(request, status, json{{"error", message}});
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      unsigned value = 0;
      if (std::sscanf(std::string(text.substr(i + 1, 2)).c_str(), "%2x", &value) == 1) {
        out += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    out += text[i] == '+' ? ' ' : text[i];
  }
  return out;
}

std::map<std::string, std::string> query_params(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    out[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

// "Example.ORG" -> "example.org.": how Publishing names a zone.
std::string lowercased_zone(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (text.empty() || text.back() != '.') text += '.';
  return text;
}

// "192.0.2.1" or "2001:db8::1"; with ecs "192.0.2.0/24" the subnet is what routing sees, as
// for a query carrying EDNS Client Subnet (RFC 7871).
std::optional<routing::ClientInfo> parse_client(const std::string& client, const std::string& ecs,
                                                std::string* error) {
  routing::ClientInfo info;
  const auto parse = [&](const std::string& text) {
    if (inet_pton(AF_INET, text.c_str(), info.address.data()) == 1) {
      info.is_ipv6 = false;
      return true;
    }
    if (inet_pton(AF_INET6, text.c_str(), info.address.data()) == 1) {
      info.is_ipv6 = true;
      return true;
    }
    return false;
  };
  if (!parse(client)) {
    *error = fmt::format("client must be an IPv4 or IPv6 address, not \"{}\"", client);
    return std::nullopt;
  }
  if (ecs.empty()) return info;
  const auto slash = ecs.find('/');
  const unsigned long prefix =
      slash == std::string::npos ? 0 : std::strtoul(ecs.c_str() + slash + 1, nullptr, 10);
  if (slash == std::string::npos || !parse(ecs.substr(0, slash)) ||
      prefix > (info.is_ipv6 ? 128u : 32u)) {
    *error = fmt::format("ecs must be an address prefix such as 192.0.2.0/24, not \"{}\"", ecs);
    return std::nullopt;
  }
  info.has_ecs = true;
  info.source_prefix = static_cast<std::uint8_t>(prefix);
  return info;
}

}  // namespace

bool token_matches(std::string_view presented, const routing::Secret& token) {
  if (token.empty()) return false;
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(token.reveal().data()), token.reveal().size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

// The Authorization header only: a cookie would reach every port of this host (cookies are not
// port-isolated), so the status page keeps the token in its own tab and sends the header too.
bool Api::authorized(const Request& request, const routing::Secret& token) const {
  const auto presented = bearer_token(std_view(request[http::field::authorization]));
  return presented && token_matches(*presented, token);
}

Response Api::handle(const Request& request, std::unique_ptr<Stream>* stream) {
  const conf::AdminConfig config = runtime_.admin_config();
  Response response = route(request, config, stream);
  add_security_headers(response);
  return response;
}

Response Api::route(const Request& request, const conf::AdminConfig& config,
                    std::unique_ptr<Stream>* stream) {
  if (!host_allowed(std_view(request[http::field::host]), config.hosts))
    return error_reply(request, http::status::misdirected_request,
                       "this Host is not one the admin API answers to (see [admin] hosts)");
  const std::string_view target = std_view(request.target());
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const bool get = request.method() == http::verb::get, post = request.method() == http::verb::post;
  // The page and its script hold no data and no secret: the script asks for the token.
  if (get) {
    if (const auto asset = status_page_asset(path))
      return reply(request, http::status::ok, std::string(asset->body), asset->content_type);
  }
  // The read-only metrics token opens GET /metrics and nothing else, so a Prometheus scraper
  // holding it cannot change state or read the status.
  if (path == "/metrics" && get && hooks_.metrics && authorized(request, config.metrics_token))
    return metrics_reply(request);
  if (!authorized(request, config.token)) {
    if (authorized(request, config.metrics_token))
      return error_reply(request, http::status::forbidden,
                         "the metrics token may only read GET /metrics");
    Response denied =
        error_reply(request, http::status::unauthorized, "a valid bearer token is required");
    denied.set(http::field::www_authenticate, "Bearer");
    return denied;
  }
  if (path == "/api/v1/status" && get)
    return json_reply(request, http::status::ok, status_json(runtime_));
  if (path == "/api/v1/events" && get) return events(request, stream);
  if (path == "/api/v1/explain" && get) return explain(request);
  if (path == "/api/v1/secondaries" && get) return secondaries(request);
  if (path == "/metrics" && get && hooks_.metrics) return metrics_reply(request);
  if (path == "/api/v1/reload" && post) {
    const control::ReloadReport report = hooks_.reload ? hooks_.reload() : runtime_.reload();
    return json_reply(request, report.ok ? http::status::ok : http::status::unprocessable_entity,
                      reload_json(report));
  }
  constexpr std::string_view endpoints = "/api/v1/endpoints/";
  if (path.substr(0, endpoints.size()) == endpoints && post)
    return endpoint_action(request, path.substr(endpoints.size()));
  constexpr std::string_view zones = "/api/v1/zones/";
  if (path.substr(0, zones.size()) == zones && (get || post))
    return zone_keys(request, path.substr(zones.size()), post);
  if (status_page_asset(path) || path == "/api/v1/status" || path == "/api/v1/explain" ||
      path == "/api/v1/events" || path == "/api/v1/secondaries" || path == "/api/v1/reload" ||
      path.substr(0, endpoints.size()) == endpoints)
    return error_reply(request, http::status::method_not_allowed, "method not allowed here");
  return error_reply(request, http::status::not_found, "no such resource");
}

Response Api::metrics_reply(const Request& request) {
  return reply(request, http::status::ok, hooks_.metrics(),
               "text/plain; version=0.0.4; charset=utf-8");
}

// {profile}/{endpoint}/disable|enable, with an optional window for disable.
Response Api::endpoint_action(const Request& request, std::string_view rest) {
  const std::string_view target = std_view(request.target());
  const auto question = target.find('?');
  const auto params =
      query_params(question == std::string_view::npos ? "" : target.substr(question + 1));
  const auto first = rest.find('/');
  const auto second = first == std::string_view::npos ? first : rest.find('/', first + 1);
  if (second == std::string_view::npos || rest.find('/', second + 1) != std::string_view::npos)
    return error_reply(request, http::status::not_found,
                       "expected /api/v1/endpoints/{profile}/{endpoint}/disable or /enable");
  const std::string profile = percent_decode(rest.substr(0, first));
  const std::string endpoint = percent_decode(rest.substr(first + 1, second - first - 1));
  const std::string_view action = rest.substr(second + 1);
  std::string problem;
  if (action == "enable") {
    problem = runtime_.enable(profile, endpoint);
  } else if (action == "disable") {
    std::optional<WallClock::time_point> from, until;
    for (const auto& [name, value] : params) {
      auto& slot = name == "from" ? from : until;
      if (name != "from" && name != "until")
        return error_reply(request, http::status::bad_request,
                           fmt::format("unknown parameter {}", name));
      std::string error;
      slot = parse_window_time(name, value, &error);
      if (!slot) return error_reply(request, http::status::bad_request, error);
    }
    problem = runtime_.disable(profile, endpoint, from, until);
  } else {
    return error_reply(request, http::status::not_found, "the action is disable or enable");
  }
  if (!problem.empty())
    return error_reply(
        request,
        problem.rfind("no endpoint", 0) == 0 ? http::status::not_found : http::status::bad_request,
        problem);
  return json_reply(
      request, http::status::ok,
      json{{"profile", control::profile_key(profile)}, {"endpoint", endpoint}, {"action", action}});
}

// {zone}/keys (GET: every key, its state and since, and the waits) or
// {zone}/keys/{tag}/{action} (POST: one rollover step, refused with 409 when too early).
Response Api::zone_keys(const Request& request, std::string_view rest, bool post) {
  const auto slash = rest.find('/');
  const std::string zone = percent_decode(rest.substr(0, slash));
  const std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (!post && tail == "/keys") {
    auto out = zone_keys_json(runtime_, zone);
    if (!out)
      return error_reply(request, http::status::not_found,
                         fmt::format("zone {} is not signed here (no [zone.dnssec])", zone));
    return json_reply(request, http::status::ok, *out);
  }
  constexpr std::string_view keys = "/keys/";
  const auto cut =
      tail.substr(0, keys.size()) == keys ? tail.find('/', keys.size()) : std::string_view::npos;
  if (!post || cut == std::string_view::npos)
    return error_reply(request, post ? http::status::not_found : http::status::method_not_allowed,
                       "expected GET /api/v1/zones/{zone}/keys or POST "
                       "/api/v1/zones/{zone}/keys/{tag}/publish|activate|retire|remove");
  const std::string_view tag_text = tail.substr(keys.size(), cut - keys.size());
  unsigned tag = 0;
  const auto [end, ec] = std::from_chars(tag_text.data(), tag_text.data() + tag_text.size(), tag);
  const auto action = dnsd::dnssec::key_action_from_text(tail.substr(cut + 1));
  if (ec != std::errc{} || end != tag_text.data() + tag_text.size() || tag > 65535)
    return error_reply(request, http::status::bad_request, "the key tag is a number (0-65535)");
  if (!action)
    return error_reply(request, http::status::not_found,
                       "the action is publish, activate, retire or remove");
  using Outcome = control::Runtime::KeyStepResult::Outcome;
  const auto result = runtime_.key_step(zone, static_cast<std::uint16_t>(tag), *action);
  switch (result.outcome) {
    case Outcome::done: {
      auto out = zone_keys_json(runtime_, zone);
      return json_reply(request, http::status::ok, out ? *out : json::object());
    }
    case Outcome::not_found:
      return error_reply(request, http::status::not_found, result.message);
    case Outcome::refused:
      return error_reply(request, http::status::conflict, result.message);
    case Outcome::failed:
      break;
  }
  return error_reply(request, http::status::unprocessable_entity, result.message);
}

namespace {

// A sequence number as Last-Event-ID or since= carry it: decimal digits only.
std::optional<std::uint64_t> parse_seq(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

// The head of the stream; the events themselves are written by the HttpServer's session.
Response Api::events(const Request& request, std::unique_ptr<Stream>* stream) {
  if (!stream)
    return error_reply(request, http::status::bad_request, "events need a streaming connection");
  const std::string_view target = std_view(request.target());
  const auto question = target.find('?');
  const auto params =
      query_params(question == std::string_view::npos ? "" : target.substr(question + 1));
  std::string_view since_text = std_view(request["Last-Event-ID"]);
  for (const auto& [name, value] : params) {
    if (name != "since")
      return error_reply(request, http::status::bad_request,
                         fmt::format("unknown parameter {}", name));
    if (since_text.empty()) since_text = value;  // the header wins: it is the newer cursor
  }
  std::uint64_t after = 0;
  if (!since_text.empty()) {
    const auto seq = parse_seq(since_text);
    if (!seq)
      return error_reply(request, http::status::bad_request,
                         "Last-Event-ID and since are an event's id (decimal digits)");
    after = *seq;
  }
  *stream = streams_.open(after);
  if (!*stream) {
    Response busy = error_reply(request, http::status::service_unavailable,
                                fmt::format("{} event streams are open already; try again later",
                                            EventStreams::k_max_streams));
    busy.set(http::field::retry_after, "5");
    return busy;
  }
  Response head{http::status::ok, request.version()};
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-store");
  head.set("X-Accel-Buffering", "no");  // a proxy in front must pass events on at once
  return head;
}

Response Api::explain(const Request& request) {
  const std::string_view target = std_view(request.target());
  const auto question = target.find('?');
  auto params = query_params(question == std::string_view::npos ? "" : target.substr(question + 1));
  if (params["profile"].empty() || params["client"].empty())
    return error_reply(request, http::status::bad_request, "explain needs profile= and client=");
  std::string error;
  const auto client = parse_client(params["client"], params["ecs"], &error);
  if (!client) return error_reply(request, http::status::bad_request, error);
  auto out = explain_json(runtime_, params["profile"], *client, &error);
  if (!out) return error_reply(request, http::status::not_found, error);
  (*out)["client"] = params["client"];
  if (!params["ecs"].empty()) (*out)["ecs"] = params["ecs"];
  return json_reply(request, http::status::ok, *out);
}

// ?check=1 waits for the secondaries' answers (at most k_soa_check) on this admin thread; the
// others go on serving /metrics and the rest meanwhile.
Response Api::secondaries(const Request& request) {
  const std::string_view target = std_view(request.target());
  const auto question = target.find('?');
  const auto params =
      query_params(question == std::string_view::npos ? "" : target.substr(question + 1));
  bool check = false;
  std::string only;  // zone=NAME: that zone alone (dnsctl wait-propagated)
  for (const auto& [name, value] : params) {
    if (name == "zone") {
      only = lowercased_zone(value);
      continue;
    }
    if (name != "check")
      return error_reply(request, http::status::bad_request,
                         fmt::format("unknown parameter {}", name));
    if (value != "0" && value != "1")
      return error_reply(request, http::status::bad_request, "check must be 0 or 1");
    check = value == "1";
  }
  auto zones = runtime_.publishing().propagation(check ? std::optional(k_soa_check) : std::nullopt);
  if (!only.empty()) {
    std::erase_if(zones, [&](const control::ZonePropagation& z) { return z.zone != only; });
    if (zones.empty())
      return error_reply(
          request, http::status::not_found,
          fmt::format("zone {} is not published (it has no [[zone.transfer]])", only));
  }
  return json_reply(request, http::status::ok, propagation_json(zones));
}

}  // namespace admin
