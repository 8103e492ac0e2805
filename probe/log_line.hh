// The one log line written per endpoint state change. Pure formatting, so tests can pin it.
#pragma once

#include <string>

#include "probe/plan.hh"
#include "probe/tracker.hh"
#include "probe/verdict.hh"
#include "routing/nested_health.hh"

namespace probe {

// probe: profile=ci endpoint=eu Online -> Degraded reason="http 503"
// probe: profile=ci endpoint=eu Degraded -> Online rtt=12ms
std::string transition_line(const Subscriber& who, const Transition& change,
                            const Verdict& verdict);
// A nested-profile endpoint's derived state changed (its child's endpoints did).
std::string nested_line(const routing::NestedHealth::Change& change);

}  // namespace probe
