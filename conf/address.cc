// Address parsing with inet_pton, which accepts exactly the dotted-quad and RFC 4291 forms, and
// the one check that an address belongs to this host (a bind).
#include "conf/address.hh"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace conf {

std::optional<IpAddress> parse_ip(std::string_view text) {
  IpAddress out;
  const std::string copy(text);
  if (inet_pton(AF_INET, copy.c_str(), out.bytes.data()) == 1) {
    out.v6 = false;
  } else if (inet_pton(AF_INET6, copy.c_str(), out.bytes.data()) == 1) {
    out.v6 = true;
  } else {
    return std::nullopt;
  }
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(out.v6 ? AF_INET6 : AF_INET, out.bytes.data(), buf, sizeof buf);
  out.text = buf;
  return out;
}

std::string bind_error(const IpAddress& ip) {
  const int fd = ::socket(ip.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::strerror(errno);
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (ip.v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
    sa->sin6_family = AF_INET6;
    std::memcpy(&sa->sin6_addr, ip.bytes.data(), 16);
    length = sizeof *sa;
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
    sa->sin_family = AF_INET;
    std::memcpy(&sa->sin_addr, ip.bytes.data(), 4);
    length = sizeof *sa;
  }
  const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&storage), length);
  const int error = errno;
  ::close(fd);
  return rc == 0 ? std::string() : std::strerror(error);
}

std::string HostPort::to_string() const {
  return ip.v6 ? fmt::format("[{}]:{}", ip.text, port) : fmt::format("{}:{}", ip.text, port);
}

std::optional<HostPort> parse_host_port(std::string_view text, std::string* error) {
  const auto fail = [&](std::string_view why) {
    if (error)
      *error = fmt::format(
          "{} (expected an IPv4 address or a bracketed IPv6 address with a port, "
          "e.g. \"127.0.0.1:5353\" or \"[::1]:5353\")",
          why);
    return std::nullopt;
  };
  std::string_view host, port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return fail("no \"]:port\" after the IPv6 address");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("no port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return fail("an IPv6 address needs brackets");
  }
  HostPort out;
  const auto ip = parse_ip(host);
  if (!ip) return fail(fmt::format("\"{}\" is not an IP address", host));
  if (!ip->v6 && text.starts_with('[')) return fail("brackets are only for IPv6 addresses");
  out.ip = *ip;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
      value > 65535)
    return fail(fmt::format("bad port \"{}\", must be 1 to 65535", port));
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

bool is_host_name(std::string_view text) {
  if (text.ends_with('.')) text.remove_suffix(1);
  if (text.empty() || text.size() > 253) return false;
  std::size_t label = 0;
  for (char c : text) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

}  // namespace conf
