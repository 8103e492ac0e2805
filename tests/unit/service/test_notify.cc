// sd_notify: real AF_UNIX datagram sockets standing in for systemd's, by path and abstract name.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "service/notify.hh"

namespace {

// A bound datagram socket, like systemd's notify socket; name starting with '@' is abstract.
struct Listener {
  int fd = -1;
  std::string name;
  explicit Listener(std::string n) : name(std::move(n)) {
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@')
      address.sun_path[0] = '\0';
    else
      ::unlink(name.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0);
    const timeval wait{5, 0};  // a deadline, not a sleep: recv returns as soon as a message is in
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~Listener() {
    ::close(fd);
    if (name[0] != '@') ::unlink(name.c_str());
    unsetenv("NOTIFY_SOCKET");
  }
  std::string receive() {
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string("<nothing>");
  }
};

}  // namespace

TEST_CASE("notify: READY, STATUS, STOPPING and WATCHDOG reach a path socket") {
  Listener systemd("/tmp/test_notify." + std::to_string(::getpid()));
  CHECK(service::notify_ready("serving 2 zones"));
  CHECK(systemd.receive() == "READY=1\nSTATUS=serving 2 zones");
  CHECK(service::notify_stopping());
  CHECK(systemd.receive() == "STOPPING=1\nSTATUS=stopping");
  CHECK(service::notify_watchdog());
  CHECK(systemd.receive() == "WATCHDOG=1");
  CHECK(service::notify_status("reloading zones"));
  CHECK(systemd.receive() == "STATUS=reloading zones");
}

TEST_CASE("notify: RELOADING carries a monotonic timestamp; abstract socket names work") {
  Listener systemd("@test_notify_abstract." + std::to_string(::getpid()));
  CHECK(service::notify_reloading("reloading"));
  const std::string message = systemd.receive();
  CHECK(message.rfind("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=", 0) == 0);
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long sent = std::atoll(message.substr(message.rfind('=') + 1).c_str());
  const long long now_us = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
  CHECK(sent > 0);
  CHECK(sent <= now_us);
}

TEST_CASE("notify: without NOTIFY_SOCKET nothing is sent and nothing fails") {
  unsetenv("NOTIFY_SOCKET");
  CHECK_FALSE(service::notify_ready("x"));
  setenv("NOTIFY_SOCKET", "/nonexistent/dir/socket", 1);
  CHECK_FALSE(service::notify_ready("x"));
  unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("notify: the watchdog period is half of WATCHDOG_USEC, for our PID only") {
  unsetenv("WATCHDOG_PID");
  unsetenv("WATCHDOG_USEC");
  CHECK(!service::watchdog_period());
  setenv("WATCHDOG_USEC", "30000000", 1);
  CHECK(service::watchdog_period() == std::chrono::seconds(15));
  setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  CHECK(service::watchdog_period() == std::chrono::seconds(15));
  setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  CHECK(!service::watchdog_period());
  unsetenv("WATCHDOG_PID");
  unsetenv("WATCHDOG_USEC");
}
