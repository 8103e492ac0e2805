// Secondaries: their names in logs and the connected UDP socket to each (secondary.hh).
#include "dnsd/notify/secondary.hh"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dnsd::notify {

std::string endpoint_text(const Secondary& secondary) {
  if (secondary.address.find(':') != std::string::npos)
    return fmt::format("[{}]:{}", secondary.address, secondary.port);
  return fmt::format("{}:{}", secondary.address, secondary.port);
}

int open_socket(const Secondary& secondary, std::string* error) {
  sockaddr_storage storage{};
  socklen_t size = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, secondary.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(secondary.port);
    size = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, secondary.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(secondary.port);
    size = sizeof(sockaddr_in6);
  } else {
    if (error) *error = fmt::format("not an IP address: \"{}\"", secondary.address);
    return -1;
  }
  const int fd = ::socket(storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0) {
    if (error) *error = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace dnsd::notify
