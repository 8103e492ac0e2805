// libFuzzer target: any bytes as a query, over UDP and TCP framing limits, against a zone with
// every answer kind (wildcard, CNAME chain, delegation, profile). A crash, sanitizer report or a
// response that is not a well-formed DNS message fails.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dnsd/engine.hh"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Served* served = make_served();
  static const dnsd::ServingState state = served->state();
  static auto* scratch = new dnsd::Scratch();
  static auto* general_scratch = new dnsd::Scratch();
  // One fixed second for DNS cookie timestamps, so both paths mint the same server cookie.
  constexpr std::uint32_t now = 1'700'000'000;
  for (auto transport : {dnsd::Transport::udp, dnsd::Transport::tcp}) {
    const auto reply =
        dnsd::answer(state, *scratch, {data, size}, dnsd::Client{transport, {}, now});
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
    const auto general = dnsd::answer(served->general_state(), *general_scratch, {data, size},
                                      dnsd::Client{transport, {}, now});
    if (general.kind != reply.kind || general.rcode != reply.rcode ||
        general.valid_server_cookie != reply.valid_server_cookie)
      __builtin_trap();
    if (!test_support::same_response(reply.bytes, general.bytes)) __builtin_trap();
  }
  return 0;
}
