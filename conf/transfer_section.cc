// [[zone.transfer]]: who may transfer each zone, by TSIG key and/or client address range.
// Read after [[key]] and [[zone]]; a zone without entries is transferred to no one.
#include <fmt/format.h>

#include "conf/sections.hh"
#include "routing/address_range.hh"

namespace conf {
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

std::vector<ZoneTransfer> read_transfers(Section& root, const LoadContext& ctx,
                                         const dnsd::tsig::Keyring& keys) {
  std::vector<ZoneTransfer> out;
  const auto* zones = root.tables("zone");
  if (!zones) return out;
  for (std::size_t i = 0; i < zones->size(); ++i) {
    const auto& zone = *zones->get(i)->as_table();
    const auto path = fmt::format("zone[{}].transfer", i);
    const auto* node = zone.get("transfer");
    const auto* name_text = zone.get_as<std::string>("name");
    const auto origin = name_text ? dnsd::wire::Name::from_text(name_text->get())
                                  : std::optional<dnsd::wire::Name>{};
    ZoneTransfer transfer{origin ? origin->lowercased() : dnsd::wire::Name{}, {}};
    if (node && !node->is_array_of_tables()) {
      ctx.diag.add(line_of(*node), path,
                   "must be an array of tables ([[zone.transfer]] with key and/or address)");
    } else if (node) {
      const auto& list = *node->as_array();
      for (std::size_t j = 0; j < list.size(); ++j) {
        Section t(ctx.diag, *list.get(j)->as_table(), fmt::format("{}[{}]", path, j),
                  {"key", "address"});
        if (auto entry = read_entry(t, keys)) transfer.acl.entries.push_back(std::move(*entry));
        t.finish();
      }
    }
    if (origin) out.push_back(std::move(transfer));
  }
  return out;
}

}  // namespace conf
