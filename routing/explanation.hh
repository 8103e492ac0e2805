// The Explanation explain() builds and the one-line endpoint description every method's
// explain hook uses; kept apart from explain.hh so the hooks need not include the dispatch.
// Allocates freely: never called on the query path.
#pragma once

#include <string>
#include <vector>

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"

namespace routing {

struct Explanation {
  std::vector<std::string> steps;  // in the order the decision is taken
  Pick pick;                       // the same result pick() gives
};

// One line for an endpoint's state as routing sees it: "eu (priority 1): Degraded, skipped".
std::string describe_endpoint(const Profile& profile, const Endpoint& endpoint,
                              const HealthTable& health);

}  // namespace routing
