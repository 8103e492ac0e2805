// [zone.dnssec]: a zone's signing keys (files written by `dnsctl keygen`, read as secrets:
// mode and symlink checked, never quoted) and its signing policy. The keys' DNSKEY, CDS and
// CDNSKEY records go into the zone's apex here, so they are served and transferred as any.
#include <fmt/format.h>

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
};
const KeyTable dnssec_keys{"[zone.dnssec]", "Online DNSSEC signing of the zone.", k_dnssec_keys};

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
    keys.keys.push_back(std::move(*key));
  }
  if (keys.keys.empty() || !s.clean()) return;
  // The apex key sets (RFC 4034 §2, RFC 7344 §3): every key's DNSKEY; CDS and CDNSKEY for the
  // keys the parent's DS should point at (the KSKs, or every key when there is no split).
  namespace rrtype = dnsd::wire::rrtype;
  constexpr std::uint16_t cds = 59, cdnskey = 60;
  const bool split = keys.split();
  for (const auto& key : keys.keys) {
    const std::vector<std::uint8_t> dnskey(key.dnskey().begin(), key.dnskey().end());
    draft.builder.add_record(draft.origin, rrtype::dnskey, ttl, dnskey);
    if (split && key.flags() != dnsd::dnssec::flags_ksk) continue;
    draft.builder.add_record(draft.origin, cdnskey, ttl, dnskey);
    draft.builder.add_record(draft.origin, cds, ttl,
                             dnsd::dnssec::ds_rdata(draft.origin.wire(), key.dnskey()));
  }
  draft.dnssec = std::move(keys);
}

}  // namespace conf
