// What a transfer reads: the zone asked for, its journal if it has one, and who may have it.
// An interface, so that the daemon can serve its loaded zones now and the transfer view of
// zones with health-routed names later. Implementations must be safe to call from the
// transfer thread.
#pragma once

#include <memory>
#include <optional>
#include <span>

#include "dnsd/tsig/key.hh"
#include "dnsd/xfr/acl.hh"
#include "dnsd/zone/journal.hh"
#include "dnsd/zone/zone.hh"

namespace dnsd::xfr {

struct Transferable {
  const zone::Zone* zone = nullptr;
  // The diffs that lead to `zone` (IXFR); null: every IXFR is answered AXFR-style.
  const zone::Journal* journal = nullptr;
  const Acl* acl = nullptr;  // null: nobody may transfer the zone
  // Keeps zone, journal and acl alive and unchanged while the transfer runs (e.g. the served
  // state the zone came from).
  std::shared_ptr<const void> keep_alive;
};

// The keys requests are verified with, kept alive as a Transferable is.
struct Keys {
  const tsig::Keyring* keyring = nullptr;  // null: no keys, every signed request is BADKEY
  std::shared_ptr<const void> keep_alive;
};

class ZoneSource {
 public:
  virtual ~ZoneSource() = default;
  virtual Keys keys() const { return {}; }
  // The zone whose origin is exactly `lowercased_origin` (wire form), or nullopt.
  virtual std::optional<Transferable> find(
      std::span<const std::uint8_t> lowercased_origin) const = 0;
  // Any zone served (published or not) whose origin is exactly `lowercased_origin`, as the
  // query path serves it; for a signed SOA query (certbot finds a zone with one), which is
  // answered for every zone, whatever the transfer ACL says: an SOA tells a signed client
  // nothing an unsigned query would not. Default: none.
  virtual std::optional<Transferable> find_served(
      std::span<const std::uint8_t> /*lowercased_origin*/) const {
    return std::nullopt;
  }
  // `client` now has `zone` at its serial: a transfer ended, or an SOA (query or IXFR) was
  // answered. `key`: the key the request was signed with (null: unsigned), which tells apart
  // secondaries sharing an address (a transfer comes from an ephemeral port). Called on the
  // transfer thread; for "propagated to N of M secondaries".
  virtual void served(const zone::Zone& /*zone*/, const routing::ClientInfo& /*client*/,
                      const tsig::Key* /*key*/) const {}
};

}  // namespace dnsd::xfr
