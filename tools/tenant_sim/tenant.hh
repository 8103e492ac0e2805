// Tenant: what the simulated SAP Cloud Integration tenant answers, and its run-time mode.
// The tenant side serves GET /http/ping; the control side switches modes and reports stats.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tools/tenant_sim/http_session.hh"
#include "tools/tenant_sim/listener.hh"

namespace tenant_sim {

// huge-header: 200 with 10 MB of header (200 lines of 1 KB, then one of 10 MB).
enum class Mode { up, unavailable, hang, refuse, slow, huge_header };

std::string_view to_string(Mode mode);  // "up", "503", "hang", "refuse", "slow", "huge-header"
std::optional<Mode> parse_mode(std::string_view text);

struct Identity {
  std::string region;  // named in the ping body
  std::string tenant;
  std::string user;  // empty: no Basic auth check
  std::string password;
};

class Tenant {
 public:
  explicit Tenant(Identity identity);

  // What the main listener answers; counts pings.
  Answer answer_ping(const Request& request);
  // What the control listener answers: POST /mode/<mode>[?ms=N], GET /mode, GET /stats.
  Answer answer_control(const Request& request);

  // The main listener is closed in refuse mode and reopened when leaving it.
  void attach(Listener& main) { main_ = &main; }
  bool set_mode(Mode mode, std::chrono::milliseconds slow_delay);
  Mode mode() const { return mode_; }

 private:
  std::string mode_json() const;

  Identity identity_;
  std::string expected_authorization_;
  Mode mode_ = Mode::up;
  std::chrono::milliseconds slow_delay_{1000};
  std::uint64_t pings_ = 0;
  std::shared_ptr<const std::string> huge_header_;  // built at the first use
  Listener* main_ = nullptr;
};

}  // namespace tenant_sim
