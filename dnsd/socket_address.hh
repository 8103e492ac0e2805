// Small socket helpers shared by the UDP and TCP servers.
#pragma once

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/system/error_code.hpp>
#include <cstring>

#include "dnsd/server_config.hh"
#include "routing/pick.hh"

namespace dnsd {

inline std::string format_address(const ListenAddress& listen) {
  const bool v6 = listen.address.find(':') != std::string::npos;
  return v6 ? fmt::format("[{}]:{}", listen.address, listen.port)
            : fmt::format("{}:{}", listen.address, listen.port);
}

// SO_REUSEPORT, so that each worker can own a socket on the same address (Linux 3.9+).
inline void set_reuse_port(int fd, boost::system::error_code& error) {
  int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
    error.assign(errno, boost::system::system_category());
}

// The client's address as routing sees it, from the kernel's sockaddr (UDP peers from
// recvmmsg, TCP peers from Asio's endpoint data()).
inline routing::ClientInfo client_info(const sockaddr* from) noexcept {
  routing::ClientInfo info;
  if (from->sa_family == AF_INET) {
    std::memcpy(info.address.data(), &reinterpret_cast<const sockaddr_in*>(from)->sin_addr, 4);
  } else if (from->sa_family == AF_INET6) {
    std::memcpy(info.address.data(), &reinterpret_cast<const sockaddr_in6*>(from)->sin6_addr, 16);
    info.is_ipv6 = true;
  }
  return info;
}

}  // namespace dnsd
