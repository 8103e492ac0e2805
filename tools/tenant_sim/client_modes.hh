// ClientModes: the modes set for chosen client addresses, which override the tenant's default
// mode for those clients only (one vantage of a fleet cut off from a tenant, the others not).
// Also counts pings per client address, so a test can see which source address a probe used.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenant_sim {

// huge-header: 200 with 10 MB of header (200 lines of 1 KB, then one of 10 MB).
enum class Mode { up, unavailable, hang, refuse, slow, huge_header };

// Every mode, in the order --help and the control API's errors list them.
inline constexpr std::array<Mode, 6> all_modes{Mode::up,     Mode::unavailable, Mode::hang,
                                               Mode::refuse, Mode::slow,        Mode::huge_header};

std::string_view to_string(Mode mode);  // "up", "503", "hang", "refuse", "slow", "huge-header"
std::optional<Mode> parse_mode(std::string_view text);
// "up, 503, hang, refuse, slow, huge-header": what an unknown mode's error expects.
std::string mode_names();

struct ClientMode {
  Mode mode = Mode::up;
  std::chrono::milliseconds slow_delay{1000};
};

// "127.0.0.21,::1" -> the addresses in canonical text ("::1", IPv4-mapped as IPv4); nullopt
// and `bad` set to the first element that is not an IP address.
std::optional<std::vector<std::string>> parse_clients(std::string_view list, std::string& bad);

class ClientModes {
 public:
  void set(const std::vector<std::string>& clients, ClientMode mode);
  // Forgets the clients' modes: they follow the default mode again.
  void clear(const std::vector<std::string>& clients);
  const ClientMode* find(const std::string& client) const;

  void count_ping(const std::string& client) { ++pings_[client]; }

  // {"127.0.0.21":"503"} and {"127.0.0.21":12}, for the control API.
  std::string modes_json() const;
  std::string pings_json() const;

 private:
  std::map<std::string, ClientMode> modes_;
  std::map<std::string, std::uint64_t> pings_;
};

}  // namespace tenant_sim
