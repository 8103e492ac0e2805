// The reload's guard against a master file that was emptied or cut short: a reload that drops
// more than max_record_drop percent of a zone's records is refused (README "Files").
#pragma once

#include <vector>

#include "conf/config.hh"
#include "conf/errors.hh"

namespace conf {

// One error per zone of `after` that has fewer than (100 - max_record_drop)% of the records it
// had in `before`, naming the zone, both counts and the key that allows it. Zones new in
// `after` and the catalog zone are not compared. Empty: the reload may go ahead.
std::vector<Error> check_record_drop(const Config& before, const Config& after);

}  // namespace conf
