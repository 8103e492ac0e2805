// Test support for signed answers: the example zone signed with a fresh key, and queries with
// the DO (and CO) flag set, so the engine's DNSSEC paths can be run without a socket.
#pragma once

#include <memory>
#include <vector>

#include "dnsd/dnssec/zone_signatures.hh"
#include "tests/unit/dnsd/zone_fixture.hh"

namespace signed_fixture {

struct SignedServed {
  std::unique_ptr<fixture::Served> served;
  std::vector<dnsd::dnssec::ZoneKeys> keys;
  std::unique_ptr<dnsd::dnssec::Signatures> signatures;
  dnsd::ServingState state() const {
    dnsd::ServingState state = served->state();
    state.signatures = signatures.get();
    return state;
  }
};

// example. (fixture::example_zone), signed with one ECDSA P-256 key at `now`, with health-routed
// names when `profiles` names them. Its prepared answers are built with the signatures, as
// dnsd/served.cc builds them, so DO queries can take the fast path.
inline SignedServed make(
    std::int64_t now, const std::vector<std::string>& extra = {}, routing::Model model = {},
    const std::vector<std::pair<std::string, routing::ProfileId>>& profiles = {}) {
  SignedServed out;
  out.served = fixture::serve("example.", fixture::example_zone(extra), std::move(model), profiles);
  dnsd::dnssec::ZoneKeys keys;
  keys.origin = *dnsd::wire::Name::from_text("example.");
  keys.keys.push_back(*dnsd::dnssec::SigningKey::generate(keys.origin, 13, 257));
  out.keys.push_back(std::move(keys));
  std::vector<std::string> errors;
  out.signatures =
      dnsd::dnssec::sign_zones(out.served->zones, out.served->model, out.keys, now, errors);
  dnsd::ServingState general = out.served->general_state();
  general.signatures = out.signatures.get();
  out.served->prepared = dnsd::PreparedAnswers::build(general);
  return out;
}

// A query with EDNS and DO (RFC 3225), and CO (RFC 9824 §4) when asked.
inline std::vector<std::uint8_t> do_query(const std::string& qname, std::uint16_t qtype,
                                          bool co = false) {
  auto packet = fixture::query(qname, qtype, {.edns = true});
  // OPT without options ends with TTL (ext-rcode, version, flags) and RDLENGTH 0.
  packet[packet.size() - 4] |= 0x80;
  if (co) packet[packet.size() - 4] |= 0x40;
  return packet;
}

}  // namespace signed_fixture
