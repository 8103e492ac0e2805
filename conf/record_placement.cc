// The TOML trap: `[[zone.record]]` attaches to the [[zone]] written last above it, so a record
// appended at the end of the file silently joins the last zone. Warnings only (the config is
// valid TOML and may mean it): each names the record's file, line and key, and what it
// probably meant. Runs once every zone and profile is read.
#include <fmt/format.h>

#include "conf/sections.hh"

namespace conf {
namespace {

using dnsd::wire::Name;

constexpr std::string_view k_trap =
    "a [[zone.record]] belongs to the [[zone]] written last above it; move the record, or add "
    "zone = \"...\" to it to have the load check where it sits";

bool same(const Name& a, const Name& b) { return a.lowercased() == b.lowercased(); }

bool is_profile(const std::vector<ProfileSite>& profiles, const Name& name) {
  for (const auto& profile : profiles)
    if (profile.owner && same(*profile.owner, name)) return true;
  return false;
}

bool has_record_at(const ZoneDraft& zone, const Name& name) {
  for (const auto& site : zone.record_sites)
    if (same(site.owner, name)) return true;
  return false;
}

// What `name`, read in another zone, would be there: a profile, a zone apex, or a name server
// that zone names but has no record for. Empty when nothing.
std::string known_as(const std::vector<ZoneDraft>& zones, const std::vector<ProfileSite>& profiles,
                     const ZoneDraft& other, const Name& name) {
  if (is_profile(profiles, name)) return "a [[profile]]";
  for (const auto& zone : zones)
    if (same(zone.origin, name)) return "a [[zone]]";
  if (other.has_master_file || has_record_at(other, name)) return {};
  for (const auto& server : other.name_server)
    if (same(server, name))
      return fmt::format("a name server of zone {} that has no record there",
                         other.origin.to_text());
  return {};
}

void check_record(const std::vector<ZoneDraft>& zones, const std::vector<ProfileSite>& profiles,
                  const ZoneDraft& zone, const RecordSite& site, Diagnostics& diag) {
  // A more specific zone answers for the name: this copy is never served.
  for (const auto& other : zones)
    if (&other != &zone && other.origin.is_subdomain_of(zone.origin) &&
        site.owner.is_subdomain_of(other.origin)) {
      diag.warn_at(
          site.line, site.key,
          fmt::format("{} lies in zone {}, which answers for it: the record in zone {} "
                      "is never served ({})",
                      site.owner.to_text(), other.origin.to_text(), zone.origin.to_text(), k_trap));
      return;
    }
  const bool relative = site.text != "@" && !site.text.empty() && site.text.back() != '.';
  if (!relative) return;
  // The same text without a trailing dot meant as an absolute name.
  if (const auto absolute = Name::from_text(site.text)) {
    for (const auto& other : zones) {
      const auto what = known_as(zones, profiles, other, *absolute);
      if (!what.empty() && absolute->is_subdomain_of(other.origin)) {
        diag.warn_at(site.line, site.key,
                     fmt::format("{} has no trailing dot, so it is relative to the zone: {}; "
                                 "{} is {} (write {} for that)",
                                 in_quotes(site.text), site.owner.to_text(), absolute->to_text(),
                                 what, absolute->to_text()));
        return;
      }
    }
  }
  // The same relative name in another zone: what the operator had in mind above.
  for (const auto& other : zones) {
    if (&other == &zone) continue;
    const auto there = Name::from_text(site.text, &other.origin);
    if (!there) continue;
    const auto what = known_as(zones, profiles, other, *there);
    if (what.empty()) continue;
    diag.warn_at(site.line, site.key,
                 fmt::format("{} is in zone {} ({}), but {} is {}: was it meant for zone {}? {}",
                             in_quotes(site.text), zone.origin.to_text(), site.owner.to_text(),
                             there->to_text(), what, other.origin.to_text(), k_trap));
    return;
  }
}

}  // namespace

void warn_misplaced_records(const std::vector<ZoneDraft>& zones,
                            const std::vector<ProfileSite>& profiles, Diagnostics& diag) {
  for (const auto& zone : zones)
    for (const auto& site : zone.record_sites) check_record(zones, profiles, zone, site, diag);
}

}  // namespace conf
