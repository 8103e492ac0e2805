// explain(): method dispatch to each method's hook, then the shared fallback steps.
#include "routing/explain.hh"

#include <fmt/format.h>

#include "routing/methods/method_explain.hh"
#include "routing/methods/priority.hh"

namespace routing {

std::string_view to_string(Method method) noexcept {
  switch (method) {
    case Method::priority:
      return "priority";
    case Method::weighted:
      return "weighted";
    case Method::multivalue:
      return "multivalue";
    case Method::subnet:
      return "subnet";
    case Method::geographic:
      return "geographic";
    case Method::performance:
      return "performance";
  }
  return "unknown";
}

Explanation explain(const Profile& profile, const HealthTable& health, const ClientInfo& client) {
  Explanation out;
  out.steps.push_back(
      fmt::format("profile {} uses the {} method", profile.name, to_string(profile.method)));
  switch (profile.method) {
    case Method::priority:
      methods::explain_priority(profile, health, out);
      break;
    case Method::weighted:
      methods::explain_weighted(profile, health, out);
      break;
    case Method::multivalue:
      methods::explain_multivalue(profile, health, out);
      break;
    case Method::subnet:
      methods::explain_subnet(profile, health, client, out);
      break;
    case Method::geographic:
      methods::explain_geographic(profile, health, client, out);
      break;
    case Method::performance:
      methods::explain_performance(profile, health, client, out);
      break;
  }
  // The result always comes from pick() itself, so the explanation cannot drift from the answer.
  out.pick = pick(profile, health, client);
  if (out.pick.all_degraded) {
    out.steps.push_back(fmt::format("no endpoint is available: all_degraded = \"{}\" answers {}",
                                    profile.all_degraded == AllDegraded::first ? "first" : "all",
                                    profile.all_degraded == AllDegraded::first
                                        ? "the first enabled endpoint as if healthy"
                                        : "every enabled endpoint as if healthy"));
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < out.pick.count; ++i)
    names.push_back(profile.endpoints[out.pick.endpoints[i]].name);
  out.steps.push_back(names.empty() ? std::string("answer: none (every endpoint is disabled)")
                                    : fmt::format("answer: {}", fmt::join(names, ", ")));
  return out;
}

}  // namespace routing
