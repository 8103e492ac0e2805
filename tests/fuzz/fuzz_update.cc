// libFuzzer target: any bytes as an UPDATE (RFC 2136). Two routes: decide() as the update
// thread runs it (TSIG first, so most inputs stop there), and the parsed message straight
// through prerequisites, prescan, policy, application and the merged zone, as a verified
// request would go. Must not crash; a refusal must leave the overlay as it was; an applied
// update must leave a zone that builds, and its log entry must decode to the same changes.
// And the query threads' screen() (issue 13/12): what it answers must be byte for byte what
// decide() and respond() write, and what it passes on must name a key decide() found.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "dnsd/update/entry.hh"
#include "dnsd/update/prerequisites.hh"
#include "dnsd/update/processor.hh"
#include "dnsd/update/screen.hh"
#include "dnsd/wire/rdata_text.hh"
#include "dnsd/wire/types.hh"

namespace {

using namespace dnsd;

void require(bool condition) {
  if (!condition) std::abort();
}

wire::Name name(const char* text) { return *wire::Name::from_text(text); }

// example. with an SOA, NS, glue, a config TXT at fixed._acme-challenge and a CNAME.
const zone::ZoneSet& zones() {
  static const zone::ZoneSet set = [] {
    zone::ZoneSet out;
    zone::ZoneBuilder builder(name("example."));
    const auto origin = name("example.");
    const auto add = [&](const char* owner, const char* type, const char* text) {
      const auto code = *wire::type_from_text(type);
      builder.add_record(name(owner), code, 300,
                         *wire::rdata_from_text(code, text, origin, nullptr));
    };
    add("example.", "SOA", "ns1.example. h.example. 10 3600 600 86400 300");
    add("example.", "NS", "ns1.example.");
    add("ns1.example.", "A", "192.0.2.53");
    add("fixed._acme-challenge.example.", "TXT", "\"config\"");
    add("www.example.", "CNAME", "ns1.example.");
    out.add(std::move(builder).build().zone);
    return out;
  }();
  return set;
}

update::Policy wide_policy() {
  update::Policy policy;
  policy.key = name("k.");
  policy.zones = {name("example.")};
  policy.names = {"@"};  // the whole zone: let every record reach apply()
  policy.types = {wire::rrtype::a,  wire::rrtype::txt, wire::rrtype::cname,
                  wire::rrtype::ns, wire::rrtype::mx,  wire::rrtype::aaaa};
  policy.max_records = 50;
  return policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::span(data, size);
  static const tsig::Keyring keyring({*tsig::make_key("k.", "hmac-sha256", "c2VjcmV0c2VjcmV0")});
  static const std::vector<update::Policy> policies{wide_policy()};
  const zone::Zone& zone = *zones().zones().front();

  update::RateLimiter rate;
  update::Context context;
  context.keyring = &keyring;
  context.policies = policies;
  context.served = &zones();
  context.base = &zones();
  context.now = std::chrono::sys_seconds(std::chrono::seconds(1'700'000'000));
  context.rate = &rate;
  const auto outcome = update::decide(bytes, context);
  std::array<std::uint8_t, 512> response;
  const std::size_t response_size = update::respond(bytes, outcome, response, context.now);
  require(response_size <= response.size());

  if (size >= wire::header_size && (data[2] & 0x80) == 0) {  // a request: screen() may see it
    std::array<std::uint8_t, 512> screened_response;
    const auto screened = update::screen(bytes, keyring, screened_response, context.now);
    if (screened.key) {
      require(screened.size == 0 && outcome.tsig.key == screened.key);
    } else {
      require(screened.size == response_size && !outcome.tsig.key);
      require(std::equal(response.begin(), response.begin() + response_size,
                         screened_response.begin()));
    }
  }

  update::Message message;
  std::string why;
  wire::Name checked_zone;
  std::uint16_t checked_class = 0;
  const std::uint16_t checked = update::check(bytes, checked_zone, checked_class);
  require(checked == update::parse(bytes, message, why));
  if (checked != wire::rcode::noerror) return 0;
  require(checked_zone == message.zone && checked_class == message.zone_class);
  if (!update::check_prerequisites(zone, wire::rrclass::in, message.prerequisites).ok()) return 0;
  if (!update::prescan(zone.origin(), wire::rrclass::in, message.updates).ok()) return 0;
  if (!update::check_policy(policies[0], zone.origin(), message.updates).ok()) return 0;
  update::ZoneOverlay overlay{zone.origin(), std::nullopt, {}};
  const auto applied = update::apply(overlay, zone, message.updates, name("k."), 0);
  if (!applied.verdict.ok() || applied.changes.empty()) {
    require(overlay.records.empty());
    return 0;
  }
  const auto built = update::merge_zone(zone, &overlay);
  (void)built;  // an add may clash with the config (e.g. NS below the apex): then an error
  update::Entry entry{
      update::Entry::Kind::update, zone.origin(), 0, name("k."), 11, applied.changes};
  const auto decoded = update::decode(update::encode(entry));
  require(decoded && decoded->changes.size() == applied.changes.size());
  update::Overlays replayed;
  update::replay(replayed, *decoded);
  require(replayed.size() == 1 && replayed[0].records.size() == overlay.records.size());
  return 0;
}
