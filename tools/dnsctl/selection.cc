// Profile and endpoint lookup in the status JSON (see selection.hh).
#include "tools/dnsctl/selection.hh"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "tools/dnsctl/json_text.hh"

namespace dnsctl {
namespace {

// As dnsd keys profiles (control::profile_key): lower case, one trailing dot.
std::string profile_key(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.empty() || name.back() != '.') name += '.';
  return name;
}

}  // namespace

const nlohmann::json* find_profile(const nlohmann::json& status, const std::string& name) {
  const std::string key = profile_key(name);
  for (const auto& p : field(status, "profiles"))
    if (profile_key(text(field(p, "name"))) == key) return &p;
  return nullptr;
}

const nlohmann::json* find_endpoint(const nlohmann::json& profile, const std::string& name) {
  for (const auto& e : field(profile, "endpoints"))
    if (text(field(e, "name")) == name) return &e;
  return nullptr;
}

std::string no_such_profile(const std::string& name) {
  return fmt::format("no such profile: {}", name);
}

std::string no_such_endpoint(const nlohmann::json& profile, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& e : field(profile, "endpoints")) names.push_back(text(field(e, "name")));
  return fmt::format("no such endpoint: {} in {} (it has {})", name, text(field(profile, "name")),
                     names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
}

std::optional<std::string> nothing_to_enable(const nlohmann::json& endpoint) {
  // An override, current or to come, is what enable removes; admin_disabled without one
  // (an older server) is still worth the request.
  if (field(endpoint, "override").is_object() || flag(endpoint, "admin_disabled", false))
    return std::nullopt;
  return fmt::format("{} has no override; nothing to enable{}", text(field(endpoint, "name")),
                     flag(endpoint, "enabled", true) ? "" : " (it is disabled in the config file)");
}

}  // namespace dnsctl
