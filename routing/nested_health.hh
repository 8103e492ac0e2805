// NestedHealth: the derived state of nested-profile endpoints, recomputed by the writer when a
// child's health changes (never walked per query). The prober calls on_change() after storing
// a probed word; the query path only reads the parent endpoint's word like any other.
//
// Traffic Manager's rules for a child profile seen from its parent:
//   child profile disabled                                  -> Stopped
//   at least min_child_endpoints (and _ipv4/_ipv6) Online   -> Online
//   enough counting CheckingEndpoint as well                -> CheckingEndpoint
//   else                                                    -> Degraded
// A child endpoint counts as Online when it is enabled and Online, always_serve, or itself a
// nested endpoint whose derived state is Online.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "routing/health_table.hh"
#include "routing/model.hh"

namespace routing {

class NestedHealth {
 public:
  struct Change {
    EndpointId id;
    std::string profile;   // the parent's name, for the log line
    std::string endpoint;  // the nested endpoint's name
    MonitorStatus old_status;
    MonitorStatus new_status;
  };

  // The model must outlive this object.
  explicit NestedHealth(const Model& model);

  bool empty() const noexcept { return parents_.empty(); }
  // Computes every nested endpoint once (at start: children are CheckingEndpoint or
  // always_serve). Returns the changes made.
  std::vector<Change> refresh_all(HealthTable& health);
  // `id`'s word changed: recomputes the nested endpoints above it, and above those, up the
  // chain. Thread-safe (probe threads may report at once); not for the query path.
  std::vector<Change> on_change(EndpointId id, HealthTable& health);

 private:
  struct Parent {
    ProfileId profile;      // the parent profile
    std::size_t endpoint;   // index of the nested endpoint in it
  };
  MonitorStatus derive(const Endpoint& nested, const HealthTable& health) const noexcept;
  void update(const Parent& parent, HealthTable& health, std::vector<Change>& changes);

  const Model& model_;
  std::vector<ProfileId> owner_of_;              // EndpointId -> the profile holding it
  std::vector<std::vector<Parent>> parents_;     // ProfileId -> nested endpoints naming it
  std::mutex mutex_;  // one writer at a time, so a stale derivation never lands last
};

}  // namespace routing
