// [[secondary]]: the secondaries dnsd tells about every serial change of the zones it publishes
// (NOTIFY, RFC 1996) and asks which serial they serve. Read after [[key]].
#include <arpa/inet.h>
#include <fmt/format.h>

#include "conf/key_tables.hh"
#include "conf/sections.hh"

namespace conf {

// The keys of [[secondary]] (key_table.hh): what the reader accepts and the reference prints.
constexpr Key k_secondary_keys[] = {
    Key::other("address", "string", "", "an IPv4 or IPv6 literal", "The secondary (required)."),
    Key::integer("port", 1, 65535, "53", "Its DNS port."),
    Key::other("key", "string", "", "a [[key]] name", "NOTIFY and SOA checks are signed with it."),
};
const KeyTable secondary_keys{"[[secondary]]",
                              "A secondary told of every new serial by NOTIFY (RFC 1996).",
                              k_secondary_keys};

namespace {

bool is_ip_literal(const std::string& text) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

std::optional<SecondarySection> read_secondary(Section& s, const dnsd::tsig::Keyring& keys) {
  SecondarySection secondary;
  if (const auto address = s.string("address", Need::required)) {
    if (is_ip_literal(*address))
      secondary.address = *address;
    else
      s.error("address", fmt::format("{} is not an IPv4 or IPv6 address (no brackets, no port)",
                                     in_quotes(*address)));
  }
  if (const auto port = s.integer("port")) secondary.port = static_cast<std::uint16_t>(*port);
  if (const auto text = s.string("key")) {
    std::string why;
    const auto name = dnsd::wire::Name::from_text(*text, nullptr, &why);
    bool known = false;
    for (const auto& key : keys.keys()) known = known || (name && key.name == name->lowercased());
    if (!name)
      s.error("key", fmt::format("bad key name {}: {}", in_quotes(*text), why));
    else if (!known)
      s.error("key", fmt::format("no [[key]] is named {}", in_quotes(*text)));
    else
      secondary.key = name->lowercased();
  }
  if (!s.clean()) return std::nullopt;
  return secondary;
}

}  // namespace

std::vector<SecondarySection> read_secondaries(Section& root, const LoadContext& ctx,
                                               const dnsd::tsig::Keyring& keys) {
  std::vector<SecondarySection> out;
  const auto* list = root.tables("secondary");
  if (!list) return out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    Section s(ctx.diag, *list->get(i)->as_table(), fmt::format("secondary[{}]", i), secondary_keys);
    if (auto secondary = read_secondary(s, keys)) {
      bool repeated = false;
      for (const auto& earlier : out)
        repeated =
            repeated || (earlier.address == secondary->address && earlier.port == secondary->port);
      if (repeated)
        s.error("address", fmt::format("secondary {} port {} is listed twice", secondary->address,
                                       secondary->port));
      else
        out.push_back(std::move(*secondary));
    }
    s.finish();
  }
  return out;
}

}  // namespace conf
