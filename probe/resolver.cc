// Resolver: c-ares channel setup, ares_getaddrinfo results with TTLs, socket driving.
#include "probe/resolver.hh"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace probe {

struct Resolver::Pending {
  Resolver* owner;
  std::uint64_t ticket;
};

namespace {

std::string join_servers(const std::vector<std::string>& servers) {
  std::string csv;
  for (const auto& server : servers) {
    if (!csv.empty()) csv += ',';
    csv += server;
  }
  return csv;
}

Resolution to_resolution(int status, const ares_addrinfo* info) {
  Resolution r;
  r.status = status;
  if (status != ARES_SUCCESS || info == nullptr) return r;
  int ttl = -1;
  const auto fold_ttl = [&ttl](int t) { ttl = ttl < 0 ? t : std::min(ttl, t); };
  for (const auto* node = info->nodes; node != nullptr; node = node->ai_next) {
    if (node->ai_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
      auto& a = r.v4.emplace_back();
      std::memcpy(a.data(), &sin->sin_addr, 4);
    } else if (node->ai_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
      auto& a = r.v6.emplace_back();
      std::memcpy(a.data(), &sin6->sin6_addr, 16);
    } else {
      continue;
    }
    fold_ttl(node->ai_ttl);
  }
  // A CNAME on the way shortens how long the addresses may be trusted.
  for (const auto* cname = info->cnames; cname != nullptr; cname = cname->next)
    fold_ttl(cname->ttl);
  r.ttl = std::chrono::seconds(std::max(ttl, 0));
  return r;
}

// Queries leave from the probe source, so a lookup sees the same vantage as the probe. The
// addresses were checked when the config was loaded (conf/address.hh bind_error).
void set_local_addresses(ares_channel channel, const routing::ProbeSource& source) {
  in_addr v4{};
  if (!source.ipv4.empty() && inet_pton(AF_INET, source.ipv4.c_str(), &v4) == 1)
    ares_set_local_ip4(channel, ntohl(v4.s_addr));
  in6_addr v6{};
  if (!source.ipv6.empty() && inet_pton(AF_INET6, source.ipv6.c_str(), &v6) == 1)
    ares_set_local_ip6(channel, v6.s6_addr);
}

}  // namespace

routing::AddressList address_list(const Resolution& resolution, std::uint32_t profile_ttl) {
  routing::AddressList list;
  for (const auto& a : resolution.v4) {
    if (list.v4_count == routing::max_flat_addresses) break;
    list.v4[list.v4_count++] = a;
  }
  for (const auto& a : resolution.v6) {
    if (list.v6_count == routing::max_flat_addresses) break;
    list.v6[list.v6_count++] = a;
  }
  const auto record_ttl = static_cast<std::uint64_t>(resolution.ttl.count());
  list.ttl = static_cast<std::uint32_t>(std::min<std::uint64_t>(record_ttl, profile_ttl));
  return list;
}

Resolver::Resolver(const routing::ResolverSettings& settings, std::chrono::milliseconds try_timeout,
                   const routing::ProbeSource& source) {
  static std::once_flag library_once;
  std::call_once(library_once, [] { ares_library_init(ARES_LIB_INIT_ALL); });

  ares_options options{};
  options.timeout = static_cast<int>(try_timeout.count());
  options.tries = 2;
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  // With explicit servers, /etc/hosts must not answer for them ("b": DNS only).
  char lookups[] = "b";
  if (!settings.servers.empty()) {
    options.lookups = lookups;
    mask |= ARES_OPT_LOOKUPS;
  }
  setup_status_ = ares_init_options(&channel_, &options, mask);
  if (setup_status_ != ARES_SUCCESS) {
    error_ = std::string("c-ares init: ") + ares_strerror(setup_status_);
    channel_ = nullptr;
    return;
  }
  set_local_addresses(channel_, source);
  if (!settings.servers.empty()) {
    const auto csv = join_servers(settings.servers);
    setup_status_ = ares_set_servers_ports_csv(channel_, csv.c_str());
    if (setup_status_ != ARES_SUCCESS)
      error_ = "c-ares servers \"" + csv + "\": " + ares_strerror(setup_status_);
  }
}

Resolver::~Resolver() {
  // Pending lookups are called back with ARES_EDESTRUCTION, which frees their Pending.
  if (channel_ != nullptr) ares_destroy(channel_);
}

std::uint64_t Resolver::lookup(const std::string& name) {
  const auto ticket = next_ticket_++;
  if (!error_.empty()) {
    completed_.push_back(Completion{ticket, Resolution{setup_status_, {}, {}, {}}});
    return ticket;
  }
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = ARES_AI_NOSORT;  // order does not matter to us; sorting opens sockets
  ares_getaddrinfo(channel_, name.c_str(), nullptr, &hints, &Resolver::on_result,
                   new Pending{this, ticket});
  return ticket;
}

void Resolver::on_result(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto* pending = static_cast<Pending*>(arg);
  if (status != ARES_EDESTRUCTION)
    pending->owner->completed_.push_back(
        Completion{pending->ticket, to_resolution(status, result)});
  if (result != nullptr) ares_freeaddrinfo(result);
  delete pending;
}

std::vector<Resolver::Completion> Resolver::take_completed() {
  std::vector<Completion> out;
  out.swap(completed_);
  return out;
}

std::vector<ResolverSocket> Resolver::sockets() const {
  std::vector<ResolverSocket> out;
  if (channel_ == nullptr) return out;
  ares_socket_t fds[ARES_GETSOCK_MAXNUM];
  const int bits = ares_getsock(channel_, fds, ARES_GETSOCK_MAXNUM);
  for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
    const bool r = ARES_GETSOCK_READABLE(bits, i) != 0;
    const bool w = ARES_GETSOCK_WRITABLE(bits, i) != 0;
    if (r || w) out.push_back(ResolverSocket{fds[i], r, w});
  }
  return out;
}

void Resolver::process(int fd, bool readable, bool writable) {
  if (channel_ == nullptr) return;
  ares_process_fd(channel_, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD);
}

void Resolver::process_timeouts() {
  if (channel_ != nullptr) ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

std::optional<std::chrono::milliseconds> Resolver::next_timeout() const {
  if (channel_ == nullptr) return std::nullopt;
  timeval tv{};
  if (ares_timeout(channel_, nullptr, &tv) == nullptr) return std::nullopt;
  // Round up so the loop does not wake a hair early and spin.
  return std::chrono::milliseconds(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
}

}  // namespace probe
