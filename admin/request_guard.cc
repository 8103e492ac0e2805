// Request guard (see request_guard.hh).
#include "admin/request_guard.hh"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace admin {

namespace http = boost::beast::http;

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_ip_literal(std::string_view text, int family) {
  unsigned char address[16];
  return inet_pton(family, std::string(text).c_str(), address) == 1;
}

// "name", "name:8053", "[::1]", "[::1]:8053" -> the name or address without brackets and port;
// nullopt when the port part is not digits.
std::optional<std::string_view> host_part(std::string_view host) {
  std::string_view rest;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    rest = host.substr(close + 1);
    host = host.substr(1, close - 1);
  } else if (const auto colon = host.find(':'); colon != std::string_view::npos) {
    rest = host.substr(colon);
    host = host.substr(0, colon);
  }
  if (!rest.empty() &&
      (rest.front() != ':' || rest.size() == 1 ||
       !std::all_of(rest.begin() + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; })))
    return std::nullopt;
  return host;
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) noexcept {
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "bearer"))
    return std::nullopt;
  std::string_view token = authorization.substr(space);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

bool host_allowed(std::string_view host, const std::vector<std::string>& names) {
  if (host.empty()) return true;  // HTTP/1.0 without Host: not a browser, so not rebinding
  const auto bare = host_part(host);
  if (!bare || bare->empty()) return false;
  const bool bracketed = host.front() == '[';
  if (bracketed) return is_ip_literal(*bare, AF_INET6);
  if (is_ip_literal(*bare, AF_INET)) return true;
  std::string name(*bare);
  if (name.back() == '.') name.pop_back();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name == "localhost" || std::find(names.begin(), names.end(), name) != names.end();
}

void add_security_headers(Response& response) {
  // No inline script or style at all (the page's are separate files), so no nonce is needed.
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
               "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  response.set(http::field::x_frame_options, "DENY");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
}

}  // namespace admin
