// Update policy of one TSIG key ([[key]] update_* in the config): which zones, owner names and
// types it may change, how many records it may hold, TTL bounds, its rate and the lifetime of
// what it adds. A key without a policy may not update. Rules as data, checked in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dnsd/update/message.hh"
#include "dnsd/update/verdict.hh"
#include "dnsd/wire/name.hh"

namespace dnsd::update {

struct Policy {
  wire::Name key;                 // lower-cased key name
  std::vector<wire::Name> zones;  // lower-cased origins
  // Owner names the key may change, each with every name below it. Relative names
  // ("_acme-challenge") are taken in each zone; absolute ones ("host.example.com.") as they are.
  std::vector<std::string> names{"_acme-challenge"};
  std::vector<std::uint16_t> types{16};  // TXT
  std::size_t max_records = 100;         // records added through this key, present at once
  std::uint32_t ttl_min = 0, ttl_max = 86400;
  unsigned rate = 60;  // updates per minute; a burst may use the whole minute's worth
  std::optional<std::chrono::seconds> expire;  // records it adds are removed after this
};

// The policy of `key` (lower-cased), or null: that key may not update.
const Policy* find_policy(std::span<const Policy> policies, const wire::Name& key) noexcept;

bool covers_zone(const Policy& policy, const wire::Name& origin) noexcept;

// Every update record (after prescan()) against the policy: owner under one of its names in
// `origin`, type among its types (a delete of every type at a name counts as each of them),
// TTL within bounds for additions. REFUSED, naming the first record that breaks it.
Verdict check_policy(const Policy& policy, const wire::Name& origin,
                     std::span<const Record> updates);

}  // namespace dnsd::update
