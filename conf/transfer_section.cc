// [[zone.transfer]]: who may transfer each zone, by TSIG key and/or client address range (and
// the same entries for [[catalog.transfer]]). Read after [[key]] and [[zone]]; a zone without
// entries is transferred to no one.
#include <fmt/format.h>

#include "conf/key_tables.hh"
#include "conf/sections.hh"
#include "routing/address_range.hh"

namespace conf {

// The keys of [[zone.transfer]] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_transfer_keys[] = {
    Key::other("key", "string", "", "a [[key]] name", "The request must be signed with this key."),
    Key::other("address", "string", "", "an address, CIDR or first-last",
               "The client must be in this range."),
};
const KeyTable transfer_keys{
    "[[zone.transfer]]",
    "Who may transfer a zone (also [[catalog.transfer]]); any entry may allow.", k_transfer_keys};

namespace {

std::optional<dnsd::xfr::AclEntry> read_entry(Section& t, const dnsd::tsig::Keyring& keys) {
  dnsd::xfr::AclEntry entry;
  if (const auto text = t.string("key")) {
    std::string why;
    const auto name = dnsd::wire::Name::from_text(*text, nullptr, &why);
    bool known = false;
    for (const auto& key : keys.keys()) known = known || (name && key.name == name->lowercased());
    if (!name)
      t.error("key", fmt::format("bad key name {}: {}", in_quotes(*text), why));
    else if (!known)
      t.error("key", fmt::format("no [[key]] is named {}", in_quotes(*text)));
    else
      entry.key = name->lowercased();
  }
  if (const auto text = t.string("address")) {
    routing::AddressRange range;
    std::string why;
    if (routing::parse_range(*text, range, why))
      entry.address = range;
    else
      t.error("address", fmt::format("bad address range {}: {}", in_quotes(*text), why));
  }
  if (!t.has("key") && !t.has("address") && t.clean())
    t.error("key", "a transfer entry needs a key, an address, or both");
  if (!t.clean()) return std::nullopt;
  return entry;
}

}  // namespace

dnsd::xfr::Acl read_transfer_list(const toml::node* node, const std::string& path,
                                  std::string_view header, const LoadContext& ctx,
                                  const dnsd::tsig::Keyring& keys) {
  dnsd::xfr::Acl acl;
  if (!node) return acl;
  if (!node->is_array_of_tables()) {
    ctx.diag.add(
        line_of(*node), path,
        fmt::format("must be an array of tables ([[{}]] with key and/or address)", header));
    return acl;
  }
  const auto& list = *node->as_array();
  for (std::size_t j = 0; j < list.size(); ++j) {
    Section t(ctx.diag, *list.get(j)->as_table(), fmt::format("{}[{}]", path, j), transfer_keys);
    if (auto entry = read_entry(t, keys)) acl.entries.push_back(std::move(*entry));
    t.finish();
  }
  return acl;
}

std::vector<ZoneTransfer> read_transfers(Section& root, const LoadContext& ctx,
                                         const dnsd::tsig::Keyring& keys) {
  std::vector<ZoneTransfer> out;
  const auto* zones = root.tables("zone");
  if (!zones) return out;
  for (std::size_t i = 0; i < zones->size(); ++i) {
    const auto& zone = *zones->get(i)->as_table();
    const auto* name_text = zone.get_as<std::string>("name");
    const auto origin = name_text ? dnsd::wire::Name::from_text(name_text->get())
                                  : std::optional<dnsd::wire::Name>{};
    auto acl = read_transfer_list(zone.get("transfer"), fmt::format("zone[{}].transfer", i),
                                  "zone.transfer", ctx, keys);
    if (origin) out.push_back(ZoneTransfer{origin->lowercased(), std::move(acl)});
  }
  return out;
}

}  // namespace conf
