// Nested profiles: child names resolved to ProfileIds, loops and depth checked (see the header).
#include "conf/nested_profiles.hh"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "dnsd/wire/name.hh"

namespace conf {

using dnsd::wire::Name;

void resolve_nested(const std::vector<NestedRef>& refs, routing::Model& model, Diagnostics& diag) {
  const std::size_t count = model.profiles.size();
  std::vector<std::vector<std::pair<routing::ProfileId, const NestedRef*>>> children(count);
  for (const auto& ref : refs) {
    auto& endpoint = model.profiles[ref.parent].endpoints[ref.endpoint];
    std::optional<routing::ProfileId> found;
    for (routing::ProfileId p = 0; p < count && !found; ++p) {
      // A profile whose own name was bad has none; its error is reported already.
      const auto name = Name::from_text(model.profiles[p].name);
      if (name && name->lowercased().to_text() == endpoint.target) found = p;
    }
    if (!found) {
      diag.add(ref.line, ref.key, fmt::format("no [[profile]] is named {}", endpoint.target));
      continue;
    }
    endpoint.child = *found;
    children[ref.parent].emplace_back(*found, &ref);
    const auto& child = model.profiles[*found];
    if (!ref.min_key.empty() && endpoint.min_child_endpoints > child.endpoints.size())
      diag.add(ref.min_line, ref.min_key,
               fmt::format("{} is more than the {} endpoints of {}, so it could never be met",
                           endpoint.min_child_endpoints, child.endpoints.size(), child.name));
  }
  // Depth-first: 0 unvisited, 1 on the current path, 2 done (depth known).
  std::vector<int> state(count, 0);
  std::vector<std::size_t> depth(count, 1);
  std::vector<routing::ProfileId> path;
  bool looped = false;
  auto visit = [&](auto&& self, routing::ProfileId p) -> void {
    state[p] = 1;
    path.push_back(p);
    for (const auto& [child, ref] : children[p]) {
      if (state[child] == 1) {
        std::string cycle;
        for (auto it = std::find(path.begin(), path.end(), child); it != path.end(); ++it)
          cycle += model.profiles[*it].name + " -> ";
        diag.add(ref->line, ref->key,
                 fmt::format("nested profiles loop: {}{}", cycle, model.profiles[child].name));
        looped = true;
        continue;
      }
      if (state[child] == 0) self(self, child);
      if (depth[child] + 1 == routing::max_nesting + 1)
        diag.add(ref->line, ref->key,
                 fmt::format("nesting {} here makes {} levels of profiles (at most {})",
                             model.profiles[child].name, depth[child] + 1, routing::max_nesting));
      depth[p] = std::max(depth[p], depth[child] + 1);
    }
    path.pop_back();
    state[p] = 2;
  };
  for (routing::ProfileId p = 0; p < count && !looped; ++p)
    if (state[p] == 0) visit(visit, p);
}

}  // namespace conf
