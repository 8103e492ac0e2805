// What every admin request passes before the routes see it: the Host header check (DNS
// rebinding), the bearer credentials parsed from Authorization, and the headers that keep a
// browser from framing, sniffing or leaking what the API sends. Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/http_server.hh"

namespace admin {

// The token of "Authorization: Bearer <token>"; the scheme is case-insensitive (RFC 7235 §2.1)
// and may be followed by several spaces. nullopt for any other scheme or an empty token.
std::optional<std::string_view> bearer_token(std::string_view authorization) noexcept;

// A Host header a browser may send us without a DNS name it resolved being able to point
// elsewhere later: none at all, an IP literal, "localhost", or one of `names` (lower-case, no
// trailing dot), with or without a port. Any other name is what DNS rebinding looks like.
bool host_allowed(std::string_view host, const std::vector<std::string>& names);

// Content-Security-Policy (scripts, styles and fetches from this origin only, no framing, no
// form posts), X-Frame-Options, X-Content-Type-Options and Referrer-Policy.
void add_security_headers(Response& response);

}  // namespace admin
