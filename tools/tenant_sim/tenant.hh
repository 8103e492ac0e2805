// Tenant: what the simulated SAP Cloud Integration tenant answers, and its run-time mode.
// The tenant side serves GET /http/ping; the control side switches modes and reports stats.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tools/tenant_sim/client_modes.hh"
#include "tools/tenant_sim/http_session.hh"
#include "tools/tenant_sim/listener.hh"

namespace tenant_sim {

struct Identity {
  std::string region;  // named in the ping body
  std::string tenant;
  std::string user;  // empty: no Basic auth check
  std::string password;
};

class Tenant {
 public:
  explicit Tenant(Identity identity);

  // What the main listener answers to `client` (its address): the client's own mode when one
  // is set, else the default mode. Counts pings, in all and per client address.
  Answer answer_ping(const Request& request, const std::string& client);
  // What the control listener answers: POST /mode/<mode>[?ms=N] (the default mode),
  // POST /mode?mode=<mode>[&clients=A,B][&ms=N] (the default, or those clients' mode; mode
  // "default" forgets the clients' own mode), GET /mode, GET /stats.
  Answer answer_control(const Request& request);

  // The main listener is closed in refuse mode and reopened when leaving it.
  void attach(Listener& main) { main_ = &main; }
  bool set_mode(Mode mode, std::chrono::milliseconds slow_delay);
  Mode mode() const { return mode_; }

 private:
  std::string mode_json() const;
  Answer set_mode_for(const Request& request);

  Identity identity_;
  std::string expected_authorization_;
  Mode mode_ = Mode::up;
  std::chrono::milliseconds slow_delay_{1000};
  std::uint64_t pings_ = 0;
  ClientModes clients_;
  std::shared_ptr<const std::string> huge_header_;  // built at the first use
  Listener* main_ = nullptr;
};

}  // namespace tenant_sim
