// Test support: zones and records from presentation format ("owner ttl TYPE rdata", absolute
// owners), and a zone's RRsets back as text, so zone tests read like zone files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dnsd/zone/diff.hh"
#include "dnsd/zone/zone.hh"

namespace zone_text {

dnsd::zone::Record record(const std::string& origin, const std::string& line);
// The zone, or a failed REQUIRE naming the first error.
std::unique_ptr<dnsd::zone::Zone> build(const std::string& origin,
                                        const std::vector<std::string>& lines);
// Every record of the zone as "owner ttl TYPE rdata", in the zone's RRset order.
std::vector<std::string> records_of(const dnsd::zone::Zone& zone);

}  // namespace zone_text
