// Nested profiles in the config: endpoints that name another [[profile]] are resolved once
// every profile is read, and the nesting is checked (no loops, at most routing::max_nesting
// levels, reachable min_child_endpoints). Internal to conf/.
#pragma once

#include <string>
#include <vector>

#include "conf/errors.hh"
#include "routing/model.hh"

namespace conf {

// A nested endpoint waiting for its child's name to be resolved once every profile is read.
struct NestedRef {
  routing::ProfileId parent = 0;
  std::size_t endpoint = 0;
  std::string key;  // "profile[0].endpoint[1].profile"
  std::size_t line = 0;
  std::string min_key;  // where min_child_endpoints was given ("" when defaulted)
  std::size_t min_line = 0;
};

void resolve_nested(const std::vector<NestedRef>& refs, routing::Model& model, Diagnostics& diag);

}  // namespace conf
