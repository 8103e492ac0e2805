// sd_notify(3) without libsystemd: the documented protocol is one datagram of "KEY=VALUE\n" lines
// sent to the AF_UNIX socket named by $NOTIFY_SOCKET (a leading '@' means the abstract
// namespace). Every call is a no-op returning false when dnsd does not run under Type=notify.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace service {

// Sends `state` as is; true when the datagram went out.
bool notify(std::string_view state) noexcept;

// The service answers: "READY=1\nSTATUS=<status>". Also sent after a reload finishes.
bool notify_ready(std::string_view status) noexcept;
// A reload starts (systemd 253+ also wants MONOTONIC_USEC, which is sent; 252 ignores it).
// The reload code calls this, then notify_ready() once the new config serves (or failed).
bool notify_reloading(std::string_view status) noexcept;
bool notify_stopping() noexcept;
bool notify_status(std::string_view status) noexcept;
bool notify_watchdog() noexcept;

// How often to send WATCHDOG=1: half of $WATCHDOG_USEC, when it is set for this process
// ($WATCHDOG_PID unset or ours). Unset: no watchdog.
std::optional<std::chrono::microseconds> watchdog_period() noexcept;

}  // namespace service
