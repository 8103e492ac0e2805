// libFuzzer target: any bytes as a query, over UDP and TCP framing limits, against a zone with
// every answer kind (wildcard, CNAME chain, delegation, profile), unsigned and signed. A crash,
// sanitizer report or a response that is not a well-formed DNS message fails, and so does a
// fast-path answer that differs from the general path's (a signed positive one by a single byte).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnsd/dnssec/zone_signatures.hh"
#include "dnsd/engine.hh"
#include "dnsd/prepared_answer.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/reader.hh"
#include "dnsd/wire/types.hh"
#include "tests/support/expanded_response.hh"
#include "tests/support/served_state.hh"

namespace {

using test_support::Served;

Served* make_served() {
  auto* served = new Served();
  served->server.chaos_version = "fuzz";
  const auto origin = *dnsd::wire::Name::from_text("example.");
  dnsd::zone::ZoneBuilder builder(origin);
  const char* records[][3] = {
      {"example.", "SOA", "ns.example. h.example. 1 3600 600 86400 300"},
      {"example.", "NS", "ns.example."},
      {"example.", "MX", "10 mail.example."},
      {"ns.example.", "A", "192.0.2.1"},
      {"mail.example.", "AAAA", "2001:db8::25"},
      {"a.example.", "CNAME", "b.example."},
      {"b.example.", "CNAME", "www.example."},
      {"www.example.", "TXT", "\"hello\" \"world\""},
      {"*.w.example.", "A", "192.0.2.9"},
      {"sub.example.", "NS", "ns.sub.example."},
      {"ns.sub.example.", "A", "192.0.2.53"},
  };
  for (const auto& record : records) {
    const auto type = *dnsd::wire::type_from_text(record[1]);
    builder.add_record(*dnsd::wire::Name::from_text(record[0]), type, 300,
                       *dnsd::wire::rdata_from_text(type, record[2], origin, nullptr));
  }
  routing::Profile profile;
  profile.name = "tm.example.";
  for (int i = 0; i < 2; ++i) {
    routing::Endpoint endpoint;
    endpoint.kind = i ? routing::TargetKind::ipv6 : routing::TargetKind::name;
    const auto target = *dnsd::wire::Name::from_text("tenant.example.");
    endpoint.target_wire.assign(target.wire().begin(), target.wire().end());
    endpoint.health_id = static_cast<routing::EndpointId>(i);
    profile.endpoints.push_back(endpoint);
  }
  served->model.profiles.push_back(profile);
  served->model.endpoint_count = 2;
  builder.add_profile(*dnsd::wire::Name::from_text("tm.example."), 0);
  served->zones.add(std::move(builder).build().zone);
  served->health = std::make_unique<routing::HealthTable>(2);
  served->flat = std::make_unique<routing::FlatAddresses>(2);
  served->prepare();
  return served;
}

// The same zone signed, with prepared answers built as dnsd builds them (with the signatures).
// Ed25519 signs deterministically, so the on-demand RRSIGs of both paths agree too.
struct Signed {
  std::vector<dnsd::dnssec::ZoneKeys> keys;
  std::unique_ptr<dnsd::dnssec::Signatures> signatures;
  std::unique_ptr<dnsd::PreparedAnswers> prepared;
  dnsd::ServingState general, fast;
};

Signed* make_signed(const Served& served) {
  auto* out = new Signed();
  dnsd::dnssec::ZoneKeys keys;
  keys.origin = *dnsd::wire::Name::from_text("example.");
  keys.keys.push_back(*dnsd::dnssec::SigningKey::generate(keys.origin, 15, 257));
  out->keys.push_back(std::move(keys));
  std::vector<std::string> errors;
  out->signatures =
      dnsd::dnssec::sign_zones(served.zones, served.model, out->keys, 1'700'000'000, errors);
  out->general = served.general_state();
  out->general.signatures = out->signatures.get();
  out->prepared = dnsd::PreparedAnswers::build(out->general);
  out->fast = out->general;
  out->fast.prepared = out->prepared.get();
  return out;
}

// One fixed second for DNS cookie timestamps, so both paths mint the same server cookie.
constexpr std::uint32_t now = 1'700'000'000;

void check(const dnsd::ServingState& state, const dnsd::ServingState& general_state,
           bool exact_positive, const std::uint8_t* data, std::size_t size) {
  static auto* scratch = new dnsd::Scratch();
  static auto* general_scratch = new dnsd::Scratch();
  for (auto transport : {dnsd::Transport::udp, dnsd::Transport::tcp}) {
    const dnsd::Client client{transport, {}, now};
    if (exact_positive) {
      const auto fast = dnsd::answer_prepared(state, *scratch, {data, size}, client);
      if (fast && fast->rcode == dnsd::wire::rcode::noerror && fast->bytes[7] != 0) {
        const std::vector<std::uint8_t> bytes(fast->bytes.begin(), fast->bytes.end());
        const auto general = dnsd::answer(general_state, *general_scratch, {data, size}, client);
        if (general.bytes.size() != bytes.size() ||
            !std::equal(bytes.begin(), bytes.end(), general.bytes.begin()))
          __builtin_trap();
      }
    }
    const auto reply = dnsd::answer(state, *scratch, {data, size}, client);
    if (reply.kind != dnsd::Reply::Kind::send) continue;
    if (reply.bytes.size() < dnsd::wire::header_size) __builtin_trap();
    if (transport == dnsd::Transport::udp && reply.bytes.size() > 1232) __builtin_trap();
    // The response must parse back: every count matches a record that is really there.
    dnsd::wire::Reader reader(reply.bytes);
    const auto header = reader.header();
    for (unsigned i = 0; i < header.qdcount; ++i) {
      dnsd::wire::WireName name;
      reader.name(name);
      reader.skip(4);
    }
    for (unsigned i = 0; i < header.ancount + header.nscount + header.arcount; ++i)
      reader.skip_rr();
    if (!reader.ok() || reader.remaining() != 0) __builtin_trap();
    // The prepared answers must say what the general path says, up to name compression.
    const auto general = dnsd::answer(general_state, *general_scratch, {data, size}, client);
    if (general.kind != reply.kind || general.rcode != reply.rcode ||
        general.valid_server_cookie != reply.valid_server_cookie)
      __builtin_trap();
    if (!test_support::same_response(reply.bytes, general.bytes)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Served* served = make_served();
  static const Signed* signed_zone = make_signed(*served);
  check(served->state(), served->general_state(), false, data, size);
  check(signed_zone->fast, signed_zone->general, true, data, size);
  return 0;
}
