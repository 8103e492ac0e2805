// Modes, per-client modes and per-client ping counts of the simulator (client_modes.hh).
#include "tools/tenant_sim/client_modes.hh"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>

namespace tenant_sim {

std::string_view to_string(Mode mode) {
  switch (mode) {
    case Mode::up:
      return "up";
    case Mode::unavailable:
      return "503";
    case Mode::hang:
      return "hang";
    case Mode::refuse:
      return "refuse";
    case Mode::slow:
      return "slow";
    case Mode::huge_header:
      return "huge-header";
  }
  return "?";
}

std::optional<Mode> parse_mode(std::string_view text) {
  for (Mode m : all_modes)
    if (text == to_string(m)) return m;
  return std::nullopt;
}

std::string mode_names() {
  std::string out;
  for (Mode m : all_modes) out += fmt::format("{}{}", out.empty() ? "" : ", ", to_string(m));
  return out;
}

std::optional<std::vector<std::string>> parse_clients(std::string_view list, std::string& bad) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = list.find(',');
    const std::string item(list.substr(0, comma));
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(item, ec);
    if (ec) {
      bad = item;
      return std::nullopt;
    }
    if (address.is_v6() && address.to_v6().is_v4_mapped())
      address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    out.push_back(address.to_string());
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

void ClientModes::set(const std::vector<std::string>& clients, ClientMode mode) {
  for (const auto& client : clients) modes_[client] = mode;
}

void ClientModes::clear(const std::vector<std::string>& clients) {
  for (const auto& client : clients) modes_.erase(client);
}

const ClientMode* ClientModes::find(const std::string& client) const {
  const auto it = modes_.find(client);
  return it == modes_.end() ? nullptr : &it->second;
}

std::string ClientModes::modes_json() const {
  std::string out = "{";
  for (const auto& [client, mode] : modes_)
    out += fmt::format("{}\"{}\":\"{}\"", out.size() > 1 ? "," : "", client, to_string(mode.mode));
  return out + "}";
}

std::string ClientModes::pings_json() const {
  std::string out = "{";
  for (const auto& [client, pings] : pings_)
    out += fmt::format("{}\"{}\":{}", out.size() > 1 ? "," : "", client, pings);
  return out + "}";
}

}  // namespace tenant_sim
