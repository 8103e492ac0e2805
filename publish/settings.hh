// publish/: what dnsd gives its secondaries, configured. Plain data filled by conf/ ([publish]
// and the per-profile transfer keys); no behaviour here, so conf/ can include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dnsd/zone/journal.hh"
#include "routing/pick_types.hh"

namespace publish {

// How a zone's serial moves on each change (README "Serving from secondaries"). Whatever the
// policy, a new serial is always newer than the last one (RFC 1982).
enum class SerialPolicy : std::uint8_t {
  increment,  // the last serial + 1 (Knot's default)
  unix_time,  // seconds since 1970, or the last + 1 when that is not newer
  date,       // YYYYMMDDnn (RFC 1912 §2.2), or the last + 1 when that is not newer
};

// Weighted profiles: a secondary answers everyone alike, so one choice is transferred.
// heaviest (default): the available endpoint of the highest weight (the first in config order
// on a tie), the one most of the traffic would go to, and never a light canary in equal share.
// all: every available endpoint's address; for profiles of IP endpoints only (a CNAME RRset
// holds one name), resolvers and clients then spread over them evenly, weights aside.
enum class WeightedChoice : std::uint8_t { heaviest, all };

// One profile's transfer settings (keys of its [[profile]] table).
struct ProfileTransfer {
  // geographic, subnet and performance: the client the transferred answer is made for
  // (transfer_client). Default 0.0.0.0: a client that no range, subnet override or GeoIP
  // entry holds, so the WORLD region, the subnet fallback or the probes' round trips decide.
  routing::ClientInfo client{};
  WeightedChoice weighted = WeightedChoice::heaviest;  // transfer_weighted
};

// [publish]: the serial policy, where the last serials are kept, the IXFR history.
struct Settings {
  SerialPolicy serial_policy = SerialPolicy::increment;
  // The last serial of each zone is kept here (one small file per zone) so that it never goes
  // backwards across restarts. Empty: not kept; a restart starts from the config's serial.
  std::string state_directory;
  dnsd::zone::Journal::Limits journal{};
  std::vector<ProfileTransfer> profiles;  // by routing::ProfileId; missing ones: the defaults
};

}  // namespace publish
