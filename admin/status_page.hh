// The status page served at GET /: an HTML document, its stylesheet and its script, all from
// dnsd itself (no external assets, so it works offline, and no inline code, so the
// Content-Security-Policy can forbid inline script). The script asks for the admin token, keeps
// it in the tab's sessionStorage, and polls /api/v1/status with it in the Authorization header.
// None of the three holds data or a secret, so they are served without a token.
#pragma once

#include <optional>
#include <string_view>

namespace admin {

struct PageAsset {
  std::string_view body;
  std::string_view content_type;
};

// "/", "/status.css" or "/status.js"; nullopt for any other path.
std::optional<PageAsset> status_page_asset(std::string_view path) noexcept;

}  // namespace admin
