// Who may transfer a zone (RFC 5936 §6): a list of entries, each a TSIG key name and/or a
// client address range; every condition of one entry must hold, any entry may allow. An empty
// list allows no one (default deny). Values only; checked once per transfer request.
#pragma once

#include <optional>
#include <vector>

#include "dnsd/tsig/key.hh"
#include "dnsd/wire/name.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace dnsd::xfr {

struct AclEntry {
  std::optional<wire::Name> key;                 // lower-cased; the request must be signed by it
  std::optional<routing::AddressRange> address;  // the client must lie inside it
};

struct Acl {
  std::vector<AclEntry> entries;

  // `key` is the key the request verified with (tsig::Status::ok), null for an unsigned one.
  // An IPv4-mapped IPv6 client (::ffff:a.b.c.d) matches IPv4 ranges too.
  bool allows(const routing::ClientInfo& client, const tsig::Key* key) const noexcept;
};

}  // namespace dnsd::xfr
