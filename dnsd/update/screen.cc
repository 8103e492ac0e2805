// screen() (see screen.hh): identify_request() and check() decide, respond() writes, so the
// response cannot differ from the update thread's.
#include "dnsd/update/screen.hh"

#include "dnsd/update/message.hh"
#include "dnsd/update/processor.hh"

namespace dnsd::update {

Screened screen(std::span<const std::uint8_t> request, const tsig::Keyring& keys,
                std::span<std::uint8_t> out, std::chrono::sys_seconds now) noexcept {
  Screened screened;
  Outcome outcome;  // as decide() fills it for these cases; nothing in it allocates here
  outcome.tsig = tsig::identify_request(request, keys);
  screened.status = outcome.tsig.status;
  screened.key_name = outcome.tsig.key_name;
  if (outcome.tsig.key) {
    screened.key = outcome.tsig.key;
    return screened;
  }
  const std::span<const std::uint8_t> message =
      request.first(outcome.tsig.message_size ? outcome.tsig.message_size : request.size());
  wire::Name zone;
  std::uint16_t zone_class = 0;
  const std::uint16_t parsed = check(message, zone, zone_class);
  if (parsed == wire::rcode::noerror || zone_class != 0) {
    outcome.zone_parsed = parsed == wire::rcode::noerror;
    outcome.zone = zone;
    outcome.zone_class = zone_class;
  }
  // processor.cc tsig_verdict(): unsigned REFUSED, malformed FORMERR, an unknown key NOTAUTH
  // (respond() sets it, with BADKEY in the TSIG RR).
  switch (outcome.tsig.status) {
    case tsig::Status::none:
      outcome.verdict.rcode = wire::rcode::refused;
      break;
    case tsig::Status::formerr:
      outcome.verdict.rcode = wire::rcode::formerr;
      break;
    default:
      outcome.verdict.rcode = wire::rcode::notauth;
  }
  screened.rcode = outcome.verdict.rcode;
  screened.zone_parsed = outcome.zone_parsed;
  screened.zone = outcome.zone;
  screened.size = respond(request, outcome, out, now);
  return screened;
}

}  // namespace dnsd::update
