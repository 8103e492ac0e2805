// [catalog]: the name, serial and members of the catalog zone (RFC 9432) and who may transfer
// it. Read after [[key]], [[zone]] and [[zone.transfer]], against which it is checked; the
// zone's records are dnsd/zone/catalog's business.
#include <fmt/format.h>

#include <algorithm>

#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [catalog] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_catalog_keys[] = {
    Key::other("name", "domain name", "", "not inside a served zone",
               "The catalog's own name (required)."),
    Key::other("zones", "list of domain names", "every zone with [[zone.transfer]]", "",
               "Its members; each must exist and have transfer entries."),
    Key::integer("serial", 0, 4294967295, "1", "Its lowest SOA serial."),
    Key::other("transfer", "array of tables", "", "",
               "[[catalog.transfer]]: who may transfer it, as [[zone.transfer]]."),
};
const KeyTable catalog_keys{
    "[catalog]", "A catalog zone (RFC 9432, version 2) listing dnsd's zones.", k_catalog_keys};

namespace {

using dnsd::wire::Name;

const dnsd::xfr::Acl* acl_of(const std::vector<ZoneTransfer>& transfers, const Name& origin) {
  for (const auto& transfer : transfers)
    if (transfer.origin == origin) return &transfer.acl;
  return nullptr;
}

std::string zone_names(const std::vector<ZoneDraft>& zones) {
  std::vector<std::string> names;
  for (const auto& zone : zones) names.push_back(zone.origin.lowercased().to_text());
  return names.empty() ? "no zones" : fmt::format("{}", fmt::join(names, ", "));
}

// The catalog shares no name with a served zone: a query or a transfer for any name at or
// below it must reach the catalog, and a zone below it would be hidden in its namespace.
void check_name(Section& s, const Name& origin, const std::vector<ZoneDraft>& zones) {
  for (const auto& zone : zones) {
    const auto served = zone.origin.lowercased().to_text();
    if (origin == zone.origin.lowercased())
      s.error("name", fmt::format("{} is the name of zone[{}]: the catalog needs a name of its "
                                  "own (e.g. \"catalog.invalid.\")",
                                  served, zone.index));
    else if (origin.is_subdomain_of(zone.origin))
      s.error("name", fmt::format("{} is inside zone[{}] ({}): the catalog needs a name no zone "
                                  "holds (e.g. \"catalog.invalid.\")",
                                  origin.to_text(), zone.index, served));
    else if (zone.origin.is_subdomain_of(origin))
      s.error("name", fmt::format("zone[{}] ({}) is inside the catalog's name {}", zone.index,
                                  served, origin.to_text()));
  }
}

// `zones = [...]`: each must be a [[zone]] that someone may transfer, and listed once.
std::vector<Name> listed_members(Section& s, const std::vector<Section::Item>& items,
                                 const std::vector<ZoneDraft>& zones,
                                 const std::vector<ZoneTransfer>& transfers) {
  std::vector<Name> members;
  for (const auto& item : items) {
    std::string why;
    const auto name = Name::from_text(item.value, nullptr, &why);
    if (!name) {
      s.error_at(item.line, item.key,
                 fmt::format("bad zone name {}: {}", in_quotes(item.value), why));
      continue;
    }
    const auto member = name->lowercased();
    const auto* acl = acl_of(transfers, member);
    bool known = false;
    for (const auto& zone : zones) known = known || zone.origin.lowercased() == member;
    if (!known)
      s.error_at(item.line, item.key,
                 fmt::format("no [[zone]] is named {} (expected one of: {})", member.to_text(),
                             zone_names(zones)));
    else if (std::find(members.begin(), members.end(), member) != members.end())
      s.error_at(item.line, item.key, fmt::format("{} is listed twice", member.to_text()));
    else if (!acl || acl->entries.empty())
      s.error_at(item.line, item.key,
                 fmt::format("zone {} has no [[zone.transfer]] entries: a secondary that reads "
                             "the catalog could not transfer it",
                             member.to_text()));
    else
      members.push_back(member);
  }
  return members;
}

// No `zones` key: every zone someone may transfer, in config order.
std::vector<Name> transferable_zones(const std::vector<ZoneDraft>& zones,
                                     const std::vector<ZoneTransfer>& transfers) {
  std::vector<Name> members;
  for (const auto& zone : zones) {
    const auto origin = zone.origin.lowercased();
    const auto* acl = acl_of(transfers, origin);
    if (acl && !acl->entries.empty()) members.push_back(origin);
  }
  return members;
}

}  // namespace

std::optional<CatalogDraft> read_catalog(Section& root, const LoadContext& ctx,
                                         const std::vector<ZoneDraft>& zones,
                                         const std::vector<ZoneTransfer>& transfers,
                                         const dnsd::tsig::Keyring& keys) {
  const auto* table = root.table("catalog");
  if (!table) return std::nullopt;
  Section s(ctx.diag, *table, "catalog", catalog_keys);
  CatalogDraft draft;
  draft.name_key = s.key("name");
  draft.name_line = s.line("name");
  std::optional<Name> origin;
  if (const auto text = s.string("name", Need::required)) {
    std::string why;
    origin = Name::from_text(*text, nullptr, &why);  // always absolute, as a zone's name
    if (!origin)
      s.error("name", fmt::format("bad catalog name {}: {}", in_quotes(*text), why));
    else
      check_name(s, origin->lowercased(), zones);
  }
  if (const auto serial = s.integer("serial"))
    draft.settings.serial = static_cast<std::uint32_t>(*serial);
  if (s.has("zones")) {
    if (const auto items = s.strings("zones", false))
      draft.settings.members = listed_members(s, *items, zones, transfers);
  } else {
    draft.settings.members = transferable_zones(zones, transfers);
  }
  draft.acl =
      read_transfer_list(s.node("transfer"), s.key("transfer"), "catalog.transfer", ctx, keys);
  s.finish();
  if (!origin || !s.clean()) return std::nullopt;
  draft.settings.origin = origin->lowercased();
  return draft;
}

}  // namespace conf
