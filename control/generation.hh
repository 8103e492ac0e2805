// Generation: one loaded config with the health, flattened addresses and probe history that
// belong to its endpoints. A reload builds the next Generation and carries over what an
// unchanged endpoint knew; the query path sees a Generation only through its ServingState.
#pragma once

#include <memory>

#include "conf/config.hh"
#include "dnsd/engine.hh"
#include "dnsd/live_serials.hh"
#include "dnsd/served.hh"
#include "dnsd/server_config.hh"
#include "dnsd/update/overlay.hh"
#include "probe/history.hh"
#include "routing/flat_addresses.hh"
#include "routing/health_table.hh"
#include "routing/health_writer.hh"

namespace control {

struct Generation {
  // `overlays`: the records dynamic updates added (null: none), served on top of the config's.
  explicit Generation(std::shared_ptr<const conf::Config> loaded,
                      std::shared_ptr<const dnsd::update::Overlays> overlays = nullptr);

  // Shared: a dynamic update makes the next Generation from the same config.
  std::shared_ptr<const conf::Config> config;
  std::shared_ptr<const dnsd::update::Overlays> overlays;
  // Zones whose overlay does not fit the config any more (a reload made it clash): served
  // without it, one line each for the log.
  std::vector<std::string> overlay_warnings;
  // The zones as served: the config's with their overlays merged in, each built anew (null
  // when there are no overlays: then config->zones serves). zones() is the one to read.
  std::unique_ptr<dnsd::zone::ZoneSet> merged;
  const dnsd::zone::ZoneSet& zones() const noexcept { return merged ? *merged : config->zones; }
  dnsd::ServerConfig server;  // config->server, as the engine and the servers read it
  routing::HealthTable health;
  // Every write to `health` goes through here (probes, overrides, restore, carry-over).
  routing::HealthWriter writer{config->model, health};
  routing::FlatAddresses flat;
  probe::ProbeHistory history;
  // The SOA serial each zone shows, moved by control::Publishing for the published zones.
  dnsd::LiveSerials serials;
  // Made once per config (prepared answers encoded after the zones): what query threads read.
  dnsd::Served served;
};

// conf's [server] section as dnsd's servers and engine read it.
dnsd::ServerConfig server_config(const conf::ServerSection& section);
// The same with [rrl] (response rate limiting) in it: what the serving state carries.
dnsd::ServerConfig server_config(const conf::ServerSection& section, const conf::RrlSection& rrl);
dnsd::RrlConfig rrl_config(const conf::RrlSection& section);

// The state query threads read: pointers into `generation`, which must outlive it (the Runtime
// frees a Generation only after ServingSlot::publish() of its successor has returned).
std::unique_ptr<const dnsd::ServingState> serving_state(const Generation& generation);

// True when `before` and `after` are the same endpoint for probing purposes: same target, probe
// host and monitor (profile and endpoint names are matched by the caller).
bool same_identity(const routing::Endpoint& before, const routing::Endpoint& after);

// Copies the probed health, flattened addresses and probe history of every endpoint of `from`
// whose profile name, endpoint name and identity are unchanged in `to`; every other endpoint
// of `to` stays CheckingEndpoint. Admin bits are not copied (overrides are re-applied).
// Returns how many endpoints were carried over. `from` must not be probed meanwhile.
std::size_t carry_over(const Generation& from, Generation& to);

// "Ci.TM.test" and "ci.tm.test." name the same profile.
std::string profile_key(std::string_view name);

}  // namespace control
