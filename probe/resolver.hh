// Resolver: non-blocking c-ares lookups (A + AAAA with TTLs), driven by the probe loop's poll.
// No thread of its own and no blocking call: the loop polls sockets(), then calls process().
// Results are queued and taken by the loop, so no callback runs probe logic re-entrantly.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "routing/flat_addresses.hh"
#include "routing/model.hh"

struct ares_channeldata;
struct ares_addrinfo;

namespace probe {

struct Resolution {
  int status = 0;  // ARES_SUCCESS or an ARES_E* code
  std::vector<std::array<std::uint8_t, 4>> v4;
  std::vector<std::array<std::uint8_t, 16>> v6;
  std::chrono::seconds ttl{0};  // smallest TTL over the address and CNAME records
  bool has_address() const noexcept { return !v4.empty() || !v6.empty(); }
};

struct ResolverSocket {
  int fd = -1;
  bool want_read = false;
  bool want_write = false;
};

// What a flattened endpoint publishes: up to max_flat_addresses per family, TTL capped by the
// profile's TTL (the record TTL is what the resolver had left when it answered).
routing::AddressList address_list(const Resolution& resolution, std::uint32_t profile_ttl);

class Resolver {
 public:
  // servers empty: the system's resolv.conf (and /etc/hosts); otherwise only those servers are
  // asked. try_timeout is c-ares' first-try timeout (it doubles on the retry).
  // A setup error is kept as a value: error() says why and every lookup fails with it.
  // source: the local addresses queries are sent from (ares_set_local_ip4/6); empty: any.
  Resolver(const routing::ResolverSettings& settings, std::chrono::milliseconds try_timeout,
           const routing::ProbeSource& source = {});
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  const std::string& error() const noexcept { return error_; }

  // Starts a lookup of an absolute name; its result appears in take_completed() under the
  // returned ticket (possibly at once, e.g. for an address literal).
  std::uint64_t lookup(const std::string& name);

  struct Completion {
    std::uint64_t ticket;
    Resolution result;
  };
  std::vector<Completion> take_completed();

  std::vector<ResolverSocket> sockets() const;
  void process(int fd, bool readable, bool writable);
  void process_timeouts();
  // How long until c-ares needs process_timeouts(); nullopt when nothing is pending.
  std::optional<std::chrono::milliseconds> next_timeout() const;

 private:
  struct Pending;
  static void on_result(void* arg, int status, int timeouts, ::ares_addrinfo* result);

  ares_channeldata* channel_ = nullptr;
  std::string error_;
  int setup_status_ = 0;
  std::uint64_t next_ticket_ = 1;
  std::vector<Completion> completed_;
};

}  // namespace probe
