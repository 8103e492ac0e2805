// Key rollover states (RFC 6781 §4.1, RFC 7583): what each key of a signed zone does now and
// since when, the text of the state file that keeps them, and the rules of each step with the
// waits that keep every cached answer verifiable. Pure: no I/O, the clock passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dnsd::dnssec {

// created: listed in key_files, not yet in the DNSKEY set. published: in the DNSKEY set; a KSK
// or combined key also signs the apex key sets (double signatures, RFC 7583 §3.3.2), a ZSK signs
// nothing. active: signs, and a KSK's CDS/CDNSKEY ask the parent for its DS. retired: still in
// the DNSKEY set for what caches hold (a KSK still signs the key sets), signs nothing else.
// removed: gone from the zone; the key file may leave key_files.
enum class KeyState : std::uint8_t { created, published, active, retired, removed };
std::string_view to_text(KeyState state) noexcept;
std::optional<KeyState> key_state_from_text(std::string_view text) noexcept;

enum class KeyAction : std::uint8_t { publish, activate, retire, remove };
std::optional<KeyAction> key_action_from_text(std::string_view text) noexcept;
std::string_view to_text(KeyAction action) noexcept;

struct KeyStatus {
  std::uint16_t tag = 0;
  std::uint16_t flags = 0;  // 257 KSK or combined, 256 ZSK
  KeyState state = KeyState::active;
  std::int64_t since = 0;  // Unix seconds
};

// The state file: one line per key, "<tag> <flags> <state> <since, UTC>", comments with ';'.
// parse_key_states returns nullopt and *error (line number and what is wrong) on a bad line.
std::string key_states_text(std::string_view zone, const std::vector<KeyStatus>& keys);
std::optional<std::vector<KeyStatus>> parse_key_states(std::string_view text, std::string* error);

// What each step waits for (RFC 7583 §3.3): a DNSKEY set cached before a key was published
// lives up to dnskey_ttl; an RRSIG made by a key that just stopped signing, up to max_ttl (the
// zone's largest TTL, negative answers and health-routed answers included).
struct RolloverWaits {
  std::chrono::seconds dnskey_ttl{0};
  std::chrono::seconds max_ttl{0};
  std::chrono::seconds propagation_delay{0};  // secondaries, clocks: added to every wait
};

// Applies `action` to the key tagged `tag` at `now`: returns "" with `keys` changed, or why the
// step is refused (too early: "... wait until <UTC>") with `keys` untouched. Activating a key
// retires the other active keys of the same flags in the same step, so something always signs.
std::string key_step(std::vector<KeyStatus>& keys, std::uint16_t tag, KeyAction action,
                     std::int64_t now, const RolloverWaits& waits);

// "2026-12-06T07:30:00Z"
std::string utc_text(std::int64_t seconds);

}  // namespace dnsd::dnssec
