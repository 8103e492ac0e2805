// TSIG RR parsing and writing, and the canonical bytes the MAC covers (RFC 8945 §4).
#include "dnsd/tsig/record.hh"

#include <algorithm>
#include <array>

#include "dnsd/wire/types.hh"

namespace dnsd::tsig {
namespace {

std::uint64_t read_u48(wire::Reader& reader) noexcept {
  const std::uint64_t high = reader.u16();
  return high << 32 | reader.u32();
}

// Reads the rest of a TSIG RR whose owner and type were just read.
bool read_tsig_rr(wire::Reader& reader, std::span<const std::uint8_t> message,
                  Record& out) noexcept {
  const std::uint16_t rrclass = reader.u16();
  const std::uint32_t ttl = reader.u32();
  const std::uint16_t rdlength = reader.u16();
  const std::size_t rdata_start = reader.pos();
  reader.name(out.algorithm_name);
  out.time_signed = read_u48(reader);
  out.fudge = reader.u16();
  const std::uint16_t mac_size = reader.u16();
  const std::size_t mac_at = reader.pos();
  reader.skip(mac_size);
  out.original_id = reader.u16();
  out.error = reader.u16();
  const std::uint16_t other_size = reader.u16();
  const std::size_t other_at = reader.pos();
  reader.skip(other_size);
  if (!reader.ok()) return false;
  // §4.2: CLASS ANY, TTL 0; the rdata is exactly its fields; nothing follows the TSIG RR.
  if (rrclass != wire::rrclass::any || ttl != 0) return false;
  if (reader.pos() - rdata_start != rdlength || reader.pos() != message.size()) return false;
  out.mac = message.subspan(mac_at, mac_size);
  out.other = message.subspan(other_at, other_size);
  return true;
}

}  // namespace

Find find_record(std::span<const std::uint8_t> message, Record& out) noexcept {
  wire::Reader reader(message);
  const wire::Header header = reader.header();
  wire::WireName name;
  for (std::uint16_t i = 0; i < header.qdcount && reader.ok(); ++i) {
    reader.name(name);
    reader.skip(4);
  }
  const std::uint32_t records = std::uint32_t{header.ancount} + header.nscount + header.arcount;
  for (std::uint32_t i = 0; i < records && reader.ok(); ++i) {
    const std::size_t start = reader.pos();
    reader.name(name);
    const std::uint16_t type = reader.u16();
    if (type != rrtype_tsig) {
      reader.skip(6);  // class, ttl
      reader.skip(reader.u16());
      continue;
    }
    // §5.1: only as the very last record, which is also the last of the additional section.
    if (i + 1 != records || header.arcount == 0) return Find::malformed;
    out.offset = start;
    out.key_name = name;
    return read_tsig_rr(reader, message, out) ? Find::found : Find::malformed;
  }
  return reader.ok() ? Find::none : Find::malformed;
}

std::uint16_t arcount_of(std::span<const std::uint8_t> message) noexcept {
  return static_cast<std::uint16_t>(message[10] << 8 | message[11]);
}

void feed_message(Hmac& hmac, std::span<const std::uint8_t> message, std::uint16_t original_id,
                  std::uint16_t arcount) noexcept {
  if (message.size() < wire::header_size) return;
  std::array<std::uint8_t, wire::header_size> header;
  std::copy_n(message.begin(), wire::header_size, header.begin());
  header[0] = static_cast<std::uint8_t>(original_id >> 8);
  header[1] = static_cast<std::uint8_t>(original_id);
  header[10] = static_cast<std::uint8_t>(arcount >> 8);
  header[11] = static_cast<std::uint8_t>(arcount);
  hmac.update(header);
  hmac.update(message.subspan(wire::header_size));
}

void feed_prior_mac(Hmac& hmac, std::span<const std::uint8_t> mac) noexcept {
  hmac.update_u16(static_cast<std::uint16_t>(mac.size()));
  hmac.update(mac);
}

void feed_variables(Hmac& hmac, const Variables& variables, bool timers_only) noexcept {
  if (!timers_only) {
    std::array<std::uint8_t, wire::max_name_size> lower;
    hmac.update(wire::lower_into(variables.key_name, lower));
    hmac.update_u16(wire::rrclass::any);
    hmac.update_u16(0);  // TTL, 32 bits
    hmac.update_u16(0);
    hmac.update(wire::lower_into(variables.algorithm_name, lower));
  }
  hmac.update_u48(variables.time_signed);
  hmac.update_u16(variables.fudge);
  if (timers_only) return;
  hmac.update_u16(variables.error);
  hmac.update_u16(static_cast<std::uint16_t>(variables.other.size()));
  hmac.update(variables.other);
}

bool put_record(wire::Writer& writer, const Variables& variables, std::span<const std::uint8_t> mac,
                std::uint16_t original_id) noexcept {
  if (writer.size() < wire::header_size) return false;
  const auto start = writer.mark();
  std::array<std::uint8_t, wire::max_name_size> lower_key, lower_algorithm;
  const auto algorithm = wire::lower_into(variables.algorithm_name, lower_algorithm);
  const std::size_t rdlength =
      algorithm.size() + 6 + 2 + 2 + mac.size() + 2 + 2 + 2 + variables.other.size();
  if (rdlength > 0xffff) return false;
  const bool written =
      writer.put_name(wire::lower_into(variables.key_name, lower_key), false) &&
      writer.put_u16(rrtype_tsig) && writer.put_u16(wire::rrclass::any) && writer.put_u32(0) &&
      writer.put_u16(static_cast<std::uint16_t>(rdlength)) && writer.put_name(algorithm, false) &&
      writer.put_u16(static_cast<std::uint16_t>(variables.time_signed >> 32)) &&
      writer.put_u32(static_cast<std::uint32_t>(variables.time_signed)) &&
      writer.put_u16(variables.fudge) && writer.put_u16(static_cast<std::uint16_t>(mac.size())) &&
      writer.put_bytes(mac) && writer.put_u16(original_id) && writer.put_u16(variables.error) &&
      writer.put_u16(static_cast<std::uint16_t>(variables.other.size())) &&
      writer.put_bytes(variables.other);
  if (!written) {
    writer.rollback(start);
    return false;
  }
  writer.patch_u16(10, static_cast<std::uint16_t>(arcount_of(writer.packet()) + 1));
  return true;
}

}  // namespace dnsd::tsig
