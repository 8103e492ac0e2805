// The smallest config an admin::Api can run on, without sockets: one zone and one priority
// profile (EU first, US second) probed by TCP. Shared by the admin unit tests and fuzz_admin.
#pragma once

namespace api_config {

// The config expects this token in "admin.token" beside it.
inline constexpr const char* token_file_name = "admin.token";

inline constexpr const char* toml = R"([admin]
enabled = true
token_file = "admin.token"
[[zone]]
name = "tm.test."
ns = ["ns1"]
[zone.soa]
mname = "ns1"
rname = "hostmaster"
serial = 1
[[zone.record]]
name = "ns1"
type = "A"
data = "127.0.0.1"
[[profile]]
name = "ci.tm.test."
method = "priority"
[profile.monitor]
protocol = "tcp"
port = 9
[[profile.endpoint]]
name = "eu"
target = "127.0.0.1"
priority = 1
[[profile.endpoint]]
name = "us"
target = "127.0.0.2"
priority = 2
)";

}  // namespace api_config
