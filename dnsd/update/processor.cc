// RFC 2136 §3 processing of one UPDATE (see processor.hh).
#include "dnsd/update/processor.hh"

#include <fmt/format.h>

#include "dnsd/tsig/sign.hh"
#include "dnsd/update/message.hh"
#include "dnsd/update/prerequisites.hh"
#include "dnsd/wire/types.hh"
#include "dnsd/wire/writer.hh"

namespace dnsd::update {
namespace {

namespace rc = wire::rcode;

constexpr std::uint16_t k_flag_qr = 0x8000;

const zone::Zone* find_zone(const zone::ZoneSet* zones, const wire::Name& origin) {
  if (!zones) return nullptr;
  for (const auto& zone : zones->zones())
    if (zone->origin() == origin) return zone.get();
  return nullptr;
}

Verdict tsig_verdict(const tsig::Verified& verified) {
  switch (verified.status) {
    case tsig::Status::ok:
      return {};
    case tsig::Status::none:
      return {rc::refused, "not signed: updates need a TSIG key"};
    case tsig::Status::formerr:
      return {rc::formerr, "malformed TSIG"};
    default:
      return {rc::notauth, fmt::format("TSIG {}", tsig::status_text(verified.status))};
  }
}

// §3.1 to §3.4 for a verified request whose message parsed.
Verdict decide_message(const Message& message, const Context& context, Outcome& out) {
  // §3.1.1: the zone must be one we are authoritative for, in its class.
  const zone::Zone* base = find_zone(context.base, message.zone);
  const zone::Zone* served = find_zone(context.served, message.zone);
  if (message.zone_class != wire::rrclass::in || !base || !served)
    return {rc::notauth, fmt::format("zone {} is not served here", message.zone.to_text())};
  const wire::Name key = out.tsig.key->name.lowercased();
  out.policy = find_policy(context.policies, key);
  if (!out.policy) return {rc::refused, fmt::format("key {} may not update", key.to_text())};
  if (!covers_zone(*out.policy, message.zone))
    return {rc::refused,
            fmt::format("key {} may not update zone {}", key.to_text(), message.zone.to_text())};
  if (context.rate && !context.rate->take(key, out.policy->rate, context.rate_now)) {
    out.rate_limited = true;
    return {rc::refused, fmt::format("key {} is over its rate of {} updates a minute",
                                     key.to_text(), out.policy->rate)};
  }
  if (Verdict v = check_prerequisites(*served, message.zone_class, message.prerequisites); !v.ok())
    return v;
  if (Verdict v = prescan(message.zone, message.zone_class, message.updates); !v.ok()) return v;
  if (Verdict v = check_policy(*out.policy, message.zone, message.updates); !v.ok()) return v;
  const ZoneOverlay* current =
      context.overlays ? find_overlay(*context.overlays, message.zone) : nullptr;
  ZoneOverlay overlay = current ? *current : ZoneOverlay{message.zone, std::nullopt, {}};
  const std::int64_t expires =
      out.policy->expire ? context.now.time_since_epoch().count() + out.policy->expire->count() : 0;
  Applied applied = apply(overlay, *base, message.updates, key, expires);
  if (!applied.verdict.ok()) return applied.verdict;
  if (applied.changes.empty()) return {};  // nothing changed: no new serial (§3.4.2.7)
  if (const std::size_t held = records_of(overlay, key); held > out.policy->max_records)
    return {rc::refused,
            fmt::format("key {} would hold {} records in {}, at most {}", key.to_text(), held,
                        message.zone.to_text(), out.policy->max_records)};
  overlay.serial = next_serial(overlay, base->serial());
  const zone::BuildResult built = merge_zone(*base, &overlay);
  if (!built.zone)
    return {rc::refused, fmt::format("the zone would not be valid: {}", built.errors.front())};
  out.changes = std::move(applied.changes);
  out.after = std::move(overlay);
  return {};
}

}  // namespace

Outcome decide(std::span<const std::uint8_t> request, const Context& context) {
  Outcome out;
  wire::Reader reader(request);
  const wire::Header header = reader.header();
  if (!reader.ok() || header.qr()) {
    out.answer = false;
    out.verdict = {rc::formerr, "not a request"};
    return out;
  }
  static const tsig::Keyring no_keys;
  out.tsig =
      tsig::verify_request(request, context.keyring ? *context.keyring : no_keys, context.now);
  Message message;
  std::string why;
  const std::uint16_t parsed = parse(
      request.first(out.tsig.message_size ? out.tsig.message_size : request.size()), message, why);
  // The zone section is echoed even when the rest is refused (nsupdate reads it back).
  if (parsed == rc::noerror || message.zone_class != 0) {
    out.zone_parsed = parsed == rc::noerror;
    out.zone = message.zone;
    out.zone_class = message.zone_class;
  }
  out.update_count = message.updates.size();
  if (out.verdict = tsig_verdict(out.tsig); !out.verdict.ok()) return out;
  if (parsed != rc::noerror) {
    out.verdict = {parsed, why};
    return out;
  }
  out.verdict = decide_message(message, context, out);
  return out;
}

std::size_t respond(std::span<const std::uint8_t> request, const Outcome& outcome,
                    std::span<std::uint8_t> out, std::chrono::sys_seconds now) {
  if (!outcome.answer || request.size() < wire::header_size) return 0;
  wire::Writer writer(out, out.size());
  const auto id = static_cast<std::uint16_t>(request[0] << 8 | request[1]);
  const auto flags = static_cast<std::uint16_t>(k_flag_qr | (wire::opcode::update << 11) |
                                                (outcome.verdict.rcode & 0xf));
  bool ok = writer.put_u16(id) && writer.put_u16(flags) && writer.put_u16(outcome.zone_parsed) &&
            writer.put_u16(0) && writer.put_u16(0) && writer.put_u16(0);
  if (ok && outcome.zone_parsed)
    ok = writer.put_name(outcome.zone.wire(), false) && writer.put_u16(wire::rrtype::soa) &&
         writer.put_u16(outcome.zone_class);
  if (!ok) return 0;
  // sign_response sets NOTAUTH and the TSIG error for a TSIG failure, and signs the rest.
  const auto status = outcome.tsig.status;
  if (status != tsig::Status::none && status != tsig::Status::formerr &&
      !tsig::sign_response(writer, outcome.tsig, now))
    return 0;
  return writer.size();
}

}  // namespace dnsd::update
