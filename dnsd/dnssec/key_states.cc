// Key rollover states and steps (see key_states.hh).
#include "dnsd/dnssec/key_states.hh"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>

#include "dnsd/dnssec/utc_time.hh"

namespace dnsd::dnssec {
namespace {

constexpr std::array<std::string_view, 5> k_state_names = {"created", "published", "active",
                                                           "retired", "removed"};
constexpr std::array<std::string_view, 4> k_action_names = {"publish", "activate", "retire",
                                                            "remove"};

template <typename T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::string_view role(std::uint16_t flags) { return flags == 257 ? "KSK" : "ZSK"; }

KeyStatus* find(std::vector<KeyStatus>& keys, std::uint16_t tag) {
  for (auto& key : keys)
    if (key.tag == tag) return &key;
  return nullptr;
}

}  // namespace

std::string_view to_text(KeyState state) noexcept {
  return k_state_names[static_cast<std::size_t>(state)];
}

std::optional<KeyState> key_state_from_text(std::string_view text) noexcept {
  for (std::size_t i = 0; i < k_state_names.size(); ++i)
    if (k_state_names[i] == text) return static_cast<KeyState>(i);
  return std::nullopt;
}

std::string_view to_text(KeyAction action) noexcept {
  return k_action_names[static_cast<std::size_t>(action)];
}

std::optional<KeyAction> key_action_from_text(std::string_view text) noexcept {
  for (std::size_t i = 0; i < k_action_names.size(); ++i)
    if (k_action_names[i] == text) return static_cast<KeyAction>(i);
  return std::nullopt;
}

std::string key_states_text(std::string_view zone, const std::vector<KeyStatus>& keys) {
  std::string out = fmt::format(
      "; dnsd key states of {}: written by dnsd, changed with `dnsctl key`\n"
      "; tag flags state since\n",
      zone);
  for (const auto& key : keys)
    out +=
        fmt::format("{} {} {} {}\n", key.tag, key.flags, to_text(key.state), utc_text(key.since));
  return out;
}

std::optional<std::vector<KeyStatus>> parse_key_states(std::string_view text, std::string* error) {
  std::vector<KeyStatus> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == ';' || line.front() == '#') continue;
    std::array<std::string_view, 4> fields;
    std::size_t count = 0;
    while (!line.empty() && count <= fields.size()) {
      const std::size_t start = line.find_first_not_of(" \t");
      if (start == std::string_view::npos) break;
      line.remove_prefix(start);
      const std::size_t stop = std::min(line.find_first_of(" \t"), line.size());
      if (count < fields.size()) fields[count] = line.substr(0, stop);
      ++count;
      line.remove_prefix(stop);
    }
    KeyStatus key;
    const auto state = count == 4 ? key_state_from_text(fields[2]) : std::nullopt;
    const auto since = count == 4 ? utc_from_text(fields[3]) : std::nullopt;
    if (count != 4 || !parse_number(fields[0], key.tag) || !parse_number(fields[1], key.flags) ||
        (key.flags != 256 && key.flags != 257) || !state || !since) {
      *error = fmt::format(
          "line {}: expected \"<key tag> <256|257> <created|published|active|retired|removed> "
          "<YYYY-MM-DDTHH:MM:SSZ>\"",
          line_no);
      return std::nullopt;
    }
    key.state = *state;
    key.since = *since;
    out.push_back(key);
  }
  return out;
}

std::string key_step(std::vector<KeyStatus>& keys, std::uint16_t tag, KeyAction action,
                     std::int64_t now, const RolloverWaits& waits) {
  KeyStatus* key = find(keys, tag);
  if (!key) return fmt::format("the zone has no key with tag {} (see dnsctl key list)", tag);
  const auto refuse_state = [&](std::string_view needed) {
    return fmt::format("key {} is {}; {} needs a key that is {}", tag, to_text(key->state),
                       k_action_names[static_cast<std::size_t>(action)], needed);
  };
  const std::int64_t delay = waits.propagation_delay.count();
  switch (action) {
    case KeyAction::publish:
      if (key->state != KeyState::created) return refuse_state("created (not yet published)");
      break;
    case KeyAction::activate: {
      if (key->state != KeyState::published) return refuse_state("published");
      // RFC 7583 §3.3.1: signing with a key a resolver's cached DNSKEY set lacks is bogus.
      const std::int64_t ready = key->since + waits.dnskey_ttl.count() + delay;
      if (now < ready)
        return fmt::format(
            "DNSKEY TTL not yet passed: key {} was published at {}, and a DNSKEY set cached "
            "before that may be used until {}; wait until {}",
            tag, utc_text(key->since), utc_text(ready - delay), utc_text(ready));
      for (auto& other : keys)
        if (other.tag != tag && other.flags == key->flags && other.state == KeyState::active)
          other = {other.tag, other.flags, KeyState::retired, now};
      break;
    }
    case KeyAction::retire: {
      if (key->state != KeyState::active) return refuse_state("active");
      const bool another = std::any_of(keys.begin(), keys.end(), [&](const KeyStatus& other) {
        return other.tag != tag && other.flags == key->flags && other.state == KeyState::active;
      });
      if (!another)
        return fmt::format(
            "key {} is the zone's only active {}: activate its successor instead (that retires "
            "it in the same step)",
            tag, role(key->flags));
      break;
    }
    case KeyAction::remove: {
      if (key->state == KeyState::published) break;  // never signed alone: a rollover given up
      if (key->state != KeyState::retired) return refuse_state("retired or published");
      // RFC 7583 §3.3.1: RRSIGs the key made and DNSKEY sets holding it stay in caches this long.
      const std::int64_t ttl = std::max(waits.dnskey_ttl, waits.max_ttl).count();
      const std::int64_t ready = key->since + ttl + delay;
      if (now < ready)
        return fmt::format(
            "TTLs not yet passed: key {} was retired at {}, and its signatures may be cached "
            "until {}; wait until {}",
            tag, utc_text(key->since), utc_text(ready - delay), utc_text(ready));
      break;
    }
  }
  constexpr KeyState next[] = {KeyState::published, KeyState::active, KeyState::retired,
                               KeyState::removed};
  key->state = next[static_cast<std::size_t>(action)];
  key->since = now;
  return {};
}

}  // namespace dnsd::dnssec
