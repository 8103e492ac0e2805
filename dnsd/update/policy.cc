// Update policy checks (see policy.hh).
#include "dnsd/update/policy.hh"

#include <fmt/format.h>

#include <algorithm>

#include "dnsd/wire/types.hh"

namespace dnsd::update {
namespace {

// A relative policy name ("_acme-challenge") stands for that name at every node of the zone:
// certbot writes _acme-challenge.<domain> for each domain of a certificate, so in zone
// example.com. it covers _acme-challenge.example.com., _acme-challenge.www.example.com. and
// every name below those. An absolute name ("host.example.com.") covers itself and below.
bool name_allowed(const Policy& policy, const wire::Name& origin, const wire::Name& owner) {
  if (!owner.is_subdomain_of(origin)) return false;
  for (const std::string& text : policy.names) {
    if (!text.empty() && text.back() == '.') {
      const auto name = wire::Name::from_text(text);
      if (name && owner.is_subdomain_of(*name)) return true;
      continue;
    }
    const auto at_apex = wire::Name::from_text(text, &origin);
    if (!at_apex) continue;
    const std::size_t labels = at_apex->label_count() - origin.label_count();
    // Each ancestor of the owner inside the zone, tried as "<text>.<a node of the zone>".
    for (wire::Name at = owner; at.label_count() >= origin.label_count() + labels;
         at = at.parent()) {
      wire::Name base = at;
      for (std::size_t i = 0; i < labels; ++i) base = base.parent();
      const auto candidate = wire::Name::from_text(text, &base);
      if (candidate && candidate->lowercased() == at.lowercased()) return true;
      if (at.is_root()) break;
    }
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
