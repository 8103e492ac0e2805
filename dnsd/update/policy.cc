// Update policy checks (see policy.hh).
#include "dnsd/update/policy.hh"

#include <fmt/format.h>

#include <algorithm>

#include "dnsd/wire/types.hh"

namespace dnsd::update {
namespace {

bool name_allowed(const Policy& policy, const wire::Name& origin, const wire::Name& owner) {
  for (const std::string& text : policy.names) {
    const auto name = wire::Name::from_text(text, &origin);
    if (name && owner.is_subdomain_of(*name)) return true;
  }
  return false;
}

bool type_allowed(const Policy& policy, std::uint16_t type) {
  return std::find(policy.types.begin(), policy.types.end(), type) != policy.types.end();
}

}  // namespace

const Policy* find_policy(std::span<const Policy> policies, const wire::Name& key) noexcept {
  for (const Policy& policy : policies)
    if (policy.key == key) return &policy;
  return nullptr;
}

bool covers_zone(const Policy& policy, const wire::Name& origin) noexcept {
  return std::find(policy.zones.begin(), policy.zones.end(), origin) != policy.zones.end();
}

Verdict check_policy(const Policy& policy, const wire::Name& origin,
                     std::span<const Record> updates) {
  const auto refuse = [&](const Record& record, std::string_view what) {
    return Verdict{wire::rcode::refused,
                   fmt::format("{} {}: {} for key {}", record.owner.to_text(),
                               wire::type_to_text(record.type), what, policy.key.to_text())};
  };
  for (const Record& record : updates) {
    if (!name_allowed(policy, origin, record.owner))
      return refuse(record, "name outside the update policy");
    if (record.type != wire::rrtype::any && !type_allowed(policy, record.type))
      return refuse(record, "type outside the update policy");
    const bool add = record.rrclass != wire::rrclass::any && record.rrclass != wire::rrclass::none;
    if (add && (record.ttl < policy.ttl_min || record.ttl > policy.ttl_max))
      return refuse(
          record, fmt::format("TTL {} outside {}..{}", record.ttl, policy.ttl_min, policy.ttl_max));
  }
  return {};
}

}  // namespace dnsd::update
