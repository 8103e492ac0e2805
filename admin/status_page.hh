// The status page served at GET /: one self-contained HTML document (inline CSS and script, no
// external assets, so it works offline) that polls /api/v1/status and redraws itself.
#pragma once

#include <string_view>

namespace admin {

std::string_view status_page() noexcept;
// Served with 401 at / without a token: asks for it and keeps it in a same-site cookie.
std::string_view login_page() noexcept;

}  // namespace admin
