// TSIG signing: the MAC over (prior MAC, message, variables) and the RR appended after it.
#include "dnsd/tsig/sign.hh"

#include <array>

#include "dnsd/tsig/record.hh"
#include "dnsd/wire/types.hh"

namespace dnsd::tsig {
namespace {

std::uint64_t seconds(std::chrono::sys_seconds now) noexcept {
  const auto count = now.time_since_epoch().count();
  return count < 0 ? 0 : static_cast<std::uint64_t>(count) & 0xffff'ffff'ffffu;
}

std::uint16_t header_id(const wire::Writer& writer) noexcept {
  const auto packet = writer.packet();
  return static_cast<std::uint16_t>(packet[0] << 8 | packet[1]);
}

struct SignSpec {
  const Mac* prior = nullptr;  // none for a request
  bool timers_only = false;
  std::uint64_t time_signed = 0;
  std::uint16_t error = tsig_error::noerror;
  std::span<const std::uint8_t> other;
};

// Computes the MAC of the message in `writer` and appends the TSIG RR carrying it.
bool append_signed(wire::Writer& writer, const Key& key, const SignSpec& spec,
                   Mac* mac_out) noexcept {
  if (writer.size() < wire::header_size) return false;
  const Variables variables{key.name.wire(),  algorithm_wire(key.algorithm),
                            spec.time_signed, default_fudge,
                            spec.error,       spec.other};
  const std::uint16_t id = header_id(writer);
  Hmac hmac;
  hmac.start(key.algorithm, key.secret);
  if (spec.prior) feed_prior_mac(hmac, spec.prior->view());
  feed_message(hmac, writer.packet(), id, arcount_of(writer.packet()));
  feed_variables(hmac, variables, spec.timers_only);
  Digest digest;
  const std::size_t size = hmac.finish(digest);
  if (size == 0) return false;
  const auto mac = std::span<const std::uint8_t>(digest).first(size);
  if (!put_record(writer, variables, mac, id)) return false;
  if (mac_out) mac_out->assign(mac);
  return true;
}

void set_rcode(wire::Writer& writer, std::uint16_t rcode) noexcept {
  const auto packet = writer.packet();
  const auto flags = static_cast<std::uint16_t>(packet[2] << 8 | packet[3]);
  writer.patch_u16(2, static_cast<std::uint16_t>((flags & 0xfff0) | (rcode & 0xf)));
}

bool sign_error_response(wire::Writer& response, const Verified& request,
                         std::chrono::sys_seconds now) noexcept {
  set_rcode(response, rcode_notauth);
  if (request.status == Status::badkey || request.status == Status::badsig) {
    const Variables variables{
        request.key_name.wire(),
        request.algorithm_name.wire(),
        seconds(now),
        default_fudge,
        request.status == Status::badkey ? tsig_error::badkey : tsig_error::badsig,
        {}};
    return put_record(response, variables, {}, header_id(response));
  }
  if (!request.key) return false;  // BADTIME and BADTRUNC come only after the key was found
  SignSpec spec{&request.request_mac, false, seconds(now), tsig_error::badtrunc, {}};
  std::array<std::uint8_t, 6> our_time{};
  if (request.status == Status::badtime) {
    // §5.2.3: the request's time, so the client's own time check passes and it can read ours.
    for (int i = 0; i < 6; ++i)
      our_time[i] = static_cast<std::uint8_t>(seconds(now) >> (40 - 8 * i));
    spec =
        SignSpec{&request.request_mac, false, request.time_signed, tsig_error::badtime, our_time};
  }
  return append_signed(response, *request.key, spec, nullptr);
}

}  // namespace

bool sign_response(wire::Writer& response, const Verified& request,
                   std::chrono::sys_seconds now) noexcept {
  if (response.size() < wire::header_size) return false;
  const auto packet = response.packet();
  const auto flags = static_cast<std::uint16_t>(packet[2] << 8 | packet[3]);
  bool done = true;
  switch (request.status) {
    case Status::none:
      return true;
    case Status::formerr:
      set_rcode(response, wire::rcode::formerr);
      return true;
    case Status::ok: {
      const SignSpec spec{&request.request_mac, false, seconds(now), tsig_error::noerror, {}};
      done = request.key && append_signed(response, *request.key, spec, nullptr);
      break;
    }
    default:
      done = sign_error_response(response, request, now);
      break;
  }
  if (!done) response.patch_u16(2, flags);
  return done;
}

bool sign_request(wire::Writer& request, const Key& key, std::chrono::sys_seconds now,
                  Mac& mac) noexcept {
  return append_signed(request, key,
                       SignSpec{nullptr, false, seconds(now), tsig_error::noerror, {}}, &mac);
}

bool Signer::sign(wire::Writer& message, std::chrono::sys_seconds now) noexcept {
  Mac next;
  if (!append_signed(message, *key_,
                     SignSpec{&prior_, !first_, seconds(now), tsig_error::noerror, {}}, &next))
    return false;
  prior_ = next;
  first_ = false;
  return true;
}

}  // namespace dnsd::tsig
