// NestedHealth: Traffic Manager's rules for the derived state of nested-profile endpoints, and
// which nested endpoints depend on which endpoint. Pure: it reads words and never writes them;
// HealthWriter (health_writer.hh) stores what derive() says. Never walked per query: the query
// path only reads the parent endpoint's word like any other.
//
// Traffic Manager's rules for a child profile seen from its parent:
//   child profile disabled                                  -> Stopped
//   at least min_child_endpoints (and _ipv4/_ipv6) Online   -> Online
//   enough counting CheckingEndpoint as well                -> CheckingEndpoint
//   else                                                    -> Degraded
// A child endpoint counts as Online when it is enabled and Online, always_serve, or itself a
// nested endpoint whose derived state is Online. An endpoint disabled in the config or by hand
// counts as neither Online nor CheckingEndpoint: disabling every child endpoint degrades the
// nested endpoint (whenever min_child_endpoints >= 1, its default), so the parent fails over.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "routing/health_table.hh"
#include "routing/model.hh"

namespace routing {

class NestedHealth {
 public:
  // A nested endpoint whose derived state changed, for the log line.
  struct Change {
    EndpointId id;
    std::string profile;   // the parent's name
    std::string endpoint;  // the nested endpoint's name
    MonitorStatus old_status;
    MonitorStatus new_status;
  };
  // A nested endpoint: endpoint `endpoint` of profile `profile` (the parent).
  struct Parent {
    ProfileId profile;
    std::size_t endpoint;
  };

  // The model must outlive this object.
  explicit NestedHealth(const Model& model);

  const Model& model() const noexcept { return model_; }
  bool empty() const noexcept { return parents_.empty(); }
  // The nested endpoints whose derived state reads `id`'s word (those naming its profile).
  std::span<const Parent> parents_of_endpoint(EndpointId id) const noexcept;
  // The nested endpoints naming `profile` as their child.
  std::span<const Parent> parents_of_profile(ProfileId profile) const noexcept;
  // Every nested endpoint, grouped by child profile.
  std::span<const Parent> all() const noexcept { return all_; }
  // The state Traffic Manager's rules give `nested` from its child's words as they are now.
  MonitorStatus derive(const Endpoint& nested, const HealthTable& health) const noexcept;

 private:
  const Model& model_;
  std::vector<ProfileId> owner_of_;           // EndpointId -> the profile holding it
  std::vector<std::vector<Parent>> parents_;  // ProfileId -> nested endpoints naming it
  std::vector<Parent> all_;
};

}  // namespace routing
