// sd_notify datagrams: one socket per message (messages are rare: start, reload, stop, watchdog).
#include "service/notify.hh"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace service {

bool notify(std::string_view state) noexcept {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || (path[0] != '/' && path[0] != '@')) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::size_t length = std::strlen(path);
  if (length >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path, length);
  if (path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace: no terminating NUL
  const auto address_size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&address), address_size);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

namespace {

bool notify_with_status(std::string_view head, std::string_view status) noexcept {
  try {
    return notify(fmt::format("{}\nSTATUS={}", head, status));
  } catch (...) {
    return false;
  }
}

}  // namespace

bool notify_ready(std::string_view status) noexcept {
  return notify_with_status("READY=1", status);
}

bool notify_reloading(std::string_view status) noexcept {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
  try {
    return notify(fmt::format("RELOADING=1\nSTATUS={}\nMONOTONIC_USEC={}", status, usec));
  } catch (...) {
    return false;
  }
}

bool notify_stopping() noexcept { return notify("STOPPING=1\nSTATUS=stopping"); }

bool notify_status(std::string_view status) noexcept {
  try {
    return notify(fmt::format("STATUS={}", status));
  } catch (...) {
    return false;
  }
}

bool notify_watchdog() noexcept { return notify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_period() noexcept {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (!usec) return std::nullopt;
  if (const char* pid = std::getenv("WATCHDOG_PID");
      pid && std::atol(pid) != static_cast<long>(::getpid()))
    return std::nullopt;
  const long long value = std::atoll(usec);
  if (value <= 0) return std::nullopt;
  return std::chrono::microseconds(value / 2);
}

}  // namespace service
