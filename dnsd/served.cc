// make_serving_state(): a generation's inputs -> the state query threads read (see the header).
#include "dnsd/served.hh"

namespace dnsd {

Served make_serving_state(const ServingInputs& inputs) {
  Served served;
  // The general path alone (no prepared answers) makes the prepared answers.
  const ServingState general{inputs.server, inputs.zones, inputs.model, inputs.health, inputs.flat};
  served.prepared = PreparedAnswers::build(general);
  served.state = general;
  served.state.prepared = served.prepared.get();
  return served;
}

}  // namespace dnsd
