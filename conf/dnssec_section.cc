// [zone.dnssec]: a zone's signing keys (files written by `dnsctl keygen`, read as secrets:
// mode and symlink checked, never quoted) and its signing policy. The keys' DNSKEY, CDS and
// CDNSKEY records go into the zone's apex here, so they are served and transferred as any.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "conf/files.hh"
#include "conf/key_tables.hh"
#include "conf/sections.hh"
#include "dnsd/dnssec/digest.hh"
#include "dnsd/wire/types.hh"

namespace conf {

using namespace std::chrono_literals;

// The keys of [zone.dnssec] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_dnssec_keys[] = {
    Key::other("key_files", "list of paths", "", "dnsctl keygen's files, read as secrets",
               "The zone's signing keys (required)."),
    Key::duration("validity", std::chrono::seconds(1), std::chrono::hours(24 * 365), "14d",
                  "How long a signature is valid from its inception."),
    Key::duration("inception_offset", std::chrono::seconds(0), std::chrono::hours(24 * 7), "1h",
                  "Inception this long before signing, for clocks behind."),
    Key::duration("refresh", std::chrono::seconds(1), std::chrono::hours(24 * 365), "validity / 2",
                  "Re-sign when this much validity is left."),
    Key::integer("denial_cache_size", 1, 10'000'000, "10000",
                 "Denial signatures kept per query thread (made on demand)."),
    Key::other("key_states", "path", "<first key file's folder>/<zone>key-states", "",
               "The keys' rollover states, written by dnsd (dnsctl key)."),
    Key::duration("propagation_delay", std::chrono::seconds(0), std::chrono::hours(24 * 7), "1h",
                  "Added to every rollover wait (secondaries, clocks)."),
};
const KeyTable dnssec_keys{"[zone.dnssec]", "Online DNSSEC signing of the zone.", k_dnssec_keys};

namespace {

using dnsd::dnssec::KeyState;

// Beside the first key file: "<folder>/<zone>key-states", e.g. keys/example.org.key-states.
std::string default_states_path(const std::filesystem::path& first_key,
                                const dnsd::dnssec::ZoneKeys& keys) {
  return (first_key.parent_path() / (keys.origin.to_text() + "key-states")).string();
}

// The state of each loaded key from the state file. No file: a first start, every key active.
// A key the file does not name was added to key_files since: created, never signing unasked.
bool read_key_states(Section& s, dnsd::dnssec::ZoneKeys& keys,
                     const std::vector<dnsd::dnssec::SigningKey>& loaded) {
  std::vector<dnsd::dnssec::KeyStatus> saved;
  std::string text, why;
  keys.states_found = std::filesystem::exists(keys.state_file);
  if (keys.states_found) {
    auto parsed = read_file(keys.state_file, text, &why)
                      ? dnsd::dnssec::parse_key_states(text, &why)
                      : std::nullopt;
    if (!parsed) {
      s.error("key_states",
              fmt::format("the key state file {}: {}", in_quotes(keys.state_file), why));
      return false;
    }
    saved = std::move(*parsed);
  }
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  const auto known = [&](const dnsd::dnssec::SigningKey& key) -> const dnsd::dnssec::KeyStatus* {
    for (const auto& entry : saved)
      if (entry.tag == key.key_tag() && entry.flags == key.flags()) return &entry;
    return nullptr;
  };
  // Not one key the file knows (every key replaced by hand): rather than serve the zone
  // unsigned, start afresh as on a first start.
  if (keys.states_found && std::none_of(loaded.begin(), loaded.end(), known)) {
    s.diag().warn(
        fmt::format("the key state file {} names none of the zone's keys: every key "
                    "starts active, and the file is written anew",
                    in_quotes(keys.state_file)));
    keys.states_found = false;
    saved.clear();
  }
  for (const auto& key : loaded) {
    const auto* entry = known(key);
    keys.states.push_back(entry
                              ? *entry
                              : dnsd::dnssec::KeyStatus{
                                    key.key_tag(), key.flags(),
                                    keys.states_found ? KeyState::created : KeyState::active, now});
  }
  // Keys the file names that left key_files stay in it (dnsctl key list shows them removed).
  for (const auto& entry : saved)
    if (std::none_of(keys.states.begin(), keys.states.end(),
                     [&](const auto& s) { return s.tag == entry.tag; }))
      keys.states.push_back(entry);
  return true;
}

// The apex key sets (RFC 4034 §2, RFC 7344 §3) as the states say: the DNSKEY of every key
// published, active or retired; CDS and CDNSKEY for the active keys the parent's DS should
// point at (the KSKs, or every key when there is no split). Which keys sign what follows.
void add_key_sets(ZoneDraft& draft, dnsd::dnssec::ZoneKeys& keys,
                  const std::vector<dnsd::dnssec::SigningKey>& loaded, std::uint32_t ttl) {
  namespace rrtype = dnsd::wire::rrtype;
  constexpr std::uint16_t cds = 59, cdnskey = 60;
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    const KeyState state = keys.states[i].state;
    if (state == KeyState::active)
      keys.keys.push_back(loaded[i]);
    else if ((state == KeyState::published || state == KeyState::retired) &&
             loaded[i].flags() == dnsd::dnssec::flags_ksk)
      keys.key_set_signers.push_back(loaded[i]);
  }
  const bool split = keys.split();
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    const auto& key = loaded[i];
    const KeyState state = keys.states[i].state;
    if (state == KeyState::created || state == KeyState::removed) continue;
    const std::vector<std::uint8_t> dnskey(key.dnskey().begin(), key.dnskey().end());
    draft.builder.add_record(draft.origin, rrtype::dnskey, ttl, dnskey);
    if (state != KeyState::active || (split && key.flags() != dnsd::dnssec::flags_ksk)) continue;
    draft.builder.add_record(draft.origin, cdnskey, ttl, dnskey);
    draft.builder.add_record(draft.origin, cds, ttl,
                             dnsd::dnssec::ds_rdata(draft.origin.wire(), key.dnskey()));
  }
}

}  // namespace

void read_zone_dnssec(Section& zone, const LoadContext& ctx, ZoneDraft& draft, std::uint32_t ttl) {
  const toml::table* table = zone.table("dnssec");
  if (!table) return;
  Section s(ctx.diag, *table, zone.key("dnssec"), dnssec_keys);
  dnsd::dnssec::ZoneKeys keys;
  keys.origin = draft.origin.lowercased();
  auto& policy = keys.policy;
  const auto seconds = [](std::chrono::milliseconds ms) {
    return std::chrono::duration_cast<std::chrono::seconds>(ms);
  };
  if (const auto v = s.duration("validity")) policy.validity = seconds(*v);
  if (const auto v = s.duration("inception_offset")) policy.inception_offset = seconds(*v);
  policy.refresh = policy.validity / 2;  // the default: re-sign when half the validity is left
  if (const auto v = s.duration("refresh")) {
    policy.refresh = seconds(*v);
    if (policy.refresh >= policy.validity)
      s.error("refresh", "must be shorter than validity (the validity left when re-signing)");
  }
  policy.denial_cache_size =
      static_cast<std::size_t>(s.integer("denial_cache_size").value_or(10000));
  const auto files = s.strings("key_files", true, Need::required);
  std::vector<dnsd::dnssec::SigningKey> loaded;
  const auto states_path = s.string("key_states");
  keys.waits.propagation_delay = std::chrono::hours(1);
  if (const auto v = s.duration("propagation_delay")) keys.waits.propagation_delay = seconds(*v);
  keys.waits.dnskey_ttl = std::chrono::seconds(ttl);
  s.finish();
  if (!files) return;
  if (files->empty()) s.error("key_files", "must name at least one key file (dnsctl keygen)");
  for (const auto& item : *files) {
    const auto path = ctx.resolve(item.value);
    std::string text, why;
    if (!ctx.read_secret(path, text, &why)) {
      ctx.diag.add(item.line, item.key, fmt::format("cannot read the DNSSEC key file: {}", why));
      continue;
    }
    auto key = dnsd::dnssec::SigningKey::parse(text, &why);
    if (!key) {
      ctx.diag.add(item.line, item.key,
                   fmt::format("the DNSSEC key file {} is not usable: {}", in_quotes(path), why));
      continue;
    }
    if (!(key->zone() == keys.origin)) {
      ctx.diag.add(item.line, item.key,
                   fmt::format("the DNSSEC key file {} is for zone {}, not {}", in_quotes(path),
                               key->zone().to_text(), keys.origin.to_text()));
      continue;
    }
    for (const auto& other : loaded)
      if (other.key_tag() == key->key_tag())
        ctx.diag.add(item.line, item.key,
                     fmt::format("the DNSSEC key file {} has key tag {}, as another key of the "
                                 "zone: make a new key (dnsctl keygen)",
                                 in_quotes(path), key->key_tag()));
    loaded.push_back(std::move(*key));
  }
  if (loaded.empty() || !s.clean()) return;
  keys.state_file = states_path ? ctx.resolve(*states_path)
                                : default_states_path(ctx.resolve(files->front().value), keys);
  if (!read_key_states(s, keys, loaded)) return;
  add_key_sets(draft, keys, loaded, ttl);
  draft.dnssec = std::move(keys);
}

}  // namespace conf
