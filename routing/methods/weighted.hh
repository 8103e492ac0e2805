// Weighted routing: one available endpoint, drawn with probability weight / total weight.
#pragma once

#include "routing/health_table.hh"
#include "routing/model.hh"
#include "routing/pick_types.hh"
#include "routing/random.hh"

namespace routing::methods {

Pick pick_weighted(const Profile& profile, const HealthTable& health, Rng& rng) noexcept;

}  // namespace routing::methods
