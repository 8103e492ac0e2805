// Api: authentication, routing and query-string parsing for the admin API (see api.hh).
#include "admin/api.hh"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <map>

#include "admin/status_json.hh"
#include "admin/status_page.hh"
#include "control/time_text.hh"

namespace admin {

using control::format_time;
using control::parse_time;
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

std::string cookie_value(std::string_view cookies, std::string_view name) {
  while (!cookies.empty()) {
    const auto semi = cookies.find(';');
    auto item = cookies.substr(0, semi);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > name.size() && item.substr(0, name.size()) == name &&
        item[name.size()] == '=')
      return percent_decode(item.substr(name.size() + 1));
    if (semi == std::string_view::npos) break;
    cookies.remove_prefix(semi + 1);
  }
  return {};
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

bool Api::authorized(const Request& request) const {
  const routing::Secret token = runtime_.admin_config().token;
  const std::string_view header = std_view(request[http::field::authorization]);
  constexpr std::string_view bearer = "Bearer ";
  if (header.size() > bearer.size() && header.substr(0, bearer.size()) == bearer)
    return token_matches(
        std::string_view(header.data() + bearer.size(), header.size() - bearer.size()), token);
  // The status page's own requests: a browser cannot add a header to a navigation. Read-only
  // methods only, so a cookie can never be used to change anything (no CSRF).
  if (request.method() == http::verb::get) {
    const std::string cookie = cookie_value(std_view(request[http::field::cookie]), "dnsd_token");
    if (!cookie.empty()) return token_matches(cookie, token);
  }
  return false;
}

Response Api::handle(const Request& request) {
  const std::string_view target = std_view(request.target());
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (!authorized(request)) {
    if (path == "/" && request.method() == http::verb::get) {
      Response page = reply(request, http::status::unauthorized, std::string(login_page()),
                            "text/html; charset=utf-8");
      page.set(http::field::www_authenticate, "Bearer");
      return page;
    }
    Response denied =
        error_reply(request, http::status::unauthorized, "a valid bearer token is required");
    denied.set(http::field::www_authenticate, "Bearer");
    return denied;
  }
  const bool get = request.method() == http::verb::get, post = request.method() == http::verb::post;
  if (path == "/" && get)
    return reply(request, http::status::ok, std::string(status_page()), "text/html; charset=utf-8");
  if (path == "/api/v1/status" && get)
    return json_reply(request, http::status::ok, status_json(runtime_));
  if (path == "/api/v1/explain" && get) return explain(request);
  if (path == "/metrics" && get && hooks_.metrics)
    return reply(request, http::status::ok, hooks_.metrics(),
                 "text/plain; version=0.0.4; charset=utf-8");
  if (path == "/api/v1/reload" && post) {
    const control::ReloadReport report = hooks_.reload ? hooks_.reload() : runtime_.reload();
    return json_reply(request, report.ok ? http::status::ok : http::status::unprocessable_entity,
                      reload_json(report));
  }
  constexpr std::string_view endpoints = "/api/v1/endpoints/";
  if (path.substr(0, endpoints.size()) == endpoints && post)
    return endpoint_action(request, path.substr(endpoints.size()));
  if (path == "/" || path == "/api/v1/status" || path == "/api/v1/explain" ||
      path == "/api/v1/reload" || path.substr(0, endpoints.size()) == endpoints)
    return error_reply(request, http::status::method_not_allowed, "method not allowed here");
  return error_reply(request, http::status::not_found, "no such resource");
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
      slot = parse_time(value);
      if (!slot)
        return error_reply(request, http::status::bad_request,
                           fmt::format("{} must be a UTC time such as 2026-11-24T03:00:00Z", name));
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

}  // namespace admin
