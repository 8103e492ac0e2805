// make_serving_state(): a generation's inputs -> the state query threads read (see the header).
#include "dnsd/served.hh"

namespace dnsd {

Served make_serving_state(const ServingInputs& inputs) {
  Served served;
  if (!inputs.dnssec_keys.empty())
    served.signatures = dnssec::sign_zones(*inputs.zones, *inputs.model, inputs.dnssec_keys,
                                           inputs.now, served.signing_errors);
  // The general path alone (no prepared answers) makes the prepared answers; they are asked
  // without DO, so they hold no signatures.
  ServingState general{inputs.server, inputs.zones, inputs.model, inputs.health, inputs.flat};
  general.signatures = served.signatures.get();
  served.prepared = PreparedAnswers::build(general);
  served.state = general;
  served.state.prepared = served.prepared.get();
  return served;
}

}  // namespace dnsd
