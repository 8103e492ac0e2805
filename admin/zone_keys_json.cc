// The keys document (see zone_keys_json.hh), read from one Generation kept alive meanwhile.
#include "admin/zone_keys_json.hh"

#include <algorithm>

#include "control/key_rollover.hh"

namespace admin {
namespace {

using dnsd::dnssec::KeyState;
using nlohmann::json;

// What the key does in the zone as served (conf/dnssec_section.cc add_key_sets).
std::string_view duty(const dnsd::dnssec::KeyStatus& key, bool split) {
  const bool ksk = key.flags == dnsd::dnssec::flags_ksk;
  switch (key.state) {
    case KeyState::created:
    case KeyState::removed:
      return "none";
    case KeyState::published:
    case KeyState::retired:
      return ksk ? "DNSKEY, signs the key sets" : "DNSKEY";
    case KeyState::active:
      break;
  }
  if (!ksk) return "DNSKEY, signs the zone";
  return split ? "DNSKEY, signs the key sets, CDS" : "DNSKEY, signs the zone, CDS";
}

}  // namespace

std::optional<json> zone_keys_json(const control::Runtime& runtime, const std::string& zone) {
  const auto generation = runtime.generation();
  const auto origin = dnsd::wire::Name::from_text(zone);
  const dnsd::dnssec::ZoneKeys* keys = nullptr;
  for (const auto& candidate : generation->config->dnssec)
    if (origin && candidate.origin == origin->lowercased()) keys = &candidate;
  if (!keys) return std::nullopt;
  dnsd::dnssec::RolloverWaits waits = keys->waits;
  for (const auto& served : generation->zones().zones())
    if (served->origin().lowercased() == keys->origin)
      waits.max_ttl = control::max_ttl(*served, generation->config->model);
  const bool split = std::any_of(keys->states.begin(), keys->states.end(), [](const auto& key) {
    return key.flags == dnsd::dnssec::flags_zsk && key.state == KeyState::active;
  });
  const std::int64_t delay = waits.propagation_delay.count();
  json list = json::array();
  for (const auto& key : keys->states) {
    json entry = {{"tag", key.tag},
                  {"flags", key.flags},
                  {"role", key.flags == dnsd::dnssec::flags_zsk ? "ZSK"
                           : split                              ? "KSK"
                                                                : "CSK"},
                  {"state", dnsd::dnssec::to_text(key.state)},
                  {"since", dnsd::dnssec::utc_text(key.since)},
                  {"duty", duty(key, split)}};
    // The next step and the earliest time dnsd allows it (key_states.cc key_step's waits).
    if (key.state == KeyState::created) entry["next"] = {{"action", "publish"}};
    if (key.state == KeyState::published)
      entry["next"] = {
          {"action", "activate"},
          {"not_before", dnsd::dnssec::utc_text(key.since + waits.dnskey_ttl.count() + delay)}};
    if (key.state == KeyState::retired)
      entry["next"] = {
          {"action", "remove"},
          {"not_before",
           dnsd::dnssec::utc_text(key.since + std::max(waits.dnskey_ttl, waits.max_ttl).count() +
                                  delay)}};
    list.push_back(std::move(entry));
  }
  return json{{"zone", keys->origin.to_text()},
              {"state_file", keys->state_file},
              {"dnskey_ttl", waits.dnskey_ttl.count()},
              {"max_ttl", waits.max_ttl.count()},
              {"propagation_delay", delay},
              {"keys", std::move(list)}};
}

}  // namespace admin
