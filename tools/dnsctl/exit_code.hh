// dnsctl's exit codes (README "dnsctl", dnsctl(1) EXIT STATUS).
#pragma once

namespace dnsctl {

enum Exit { ok = 0, refused = 1, bad_usage = 2, unreachable = 3, bad_token = 4, lagging = 5 };

}  // namespace dnsctl
