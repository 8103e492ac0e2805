// Small socket helpers shared by the UDP and TCP servers.
#pragma once

#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>
#include <fmt/format.h>

#include "dnsd/server_config.hh"
#include "routing/pick.hh"

namespace dnsd {

inline std::string format_address(const ListenAddress& listen) {
  const bool v6 = listen.address.find(':') != std::string::npos;
  return v6 ? fmt::format("[{}]:{}", listen.address, listen.port) : fmt::format("{}:{}", listen.address, listen.port);
}

// SO_REUSEPORT, so that each worker can own a socket on the same address (Linux 3.9+).
inline void set_reuse_port(int fd, boost::system::error_code& error) {
  int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
    error.assign(errno, boost::system::system_category());
}

inline routing::ClientInfo client_info(const boost::asio::ip::address& address) noexcept {
  routing::ClientInfo info;
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), info.address.begin());
  } else {
    const auto bytes = address.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), info.address.begin());
    info.is_ipv6 = true;
  }
  return info;
}

}  // namespace dnsd
