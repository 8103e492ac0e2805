// Catalog zone content (RFC 9432 v2): SOA, NS invalid., version TXT, one PTR per member.
// The member ids are hashes of the names, so they are stable without any state kept.
#include "dnsd/zone/catalog.hh"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <vector>

#include "dnsd/wire/types.hh"

namespace dnsd::zone {
namespace {

using Bytes = std::vector<std::uint8_t>;
namespace rrtype = wire::rrtype;

// As Knot DNS generates catalogs: refresh 1 h, retry 10 min, and an expiry (INT32_MAX - 1) that
// a consumer never reaches, so it keeps its member zones while the primary is away.
constexpr std::uint32_t refresh = 3600, retry = 600, expire = 2147483646, minimum = 0;
constexpr std::uint32_t ttl = 0;
constexpr std::size_t id_bytes = 8;  // 16 hex digits: 64 bits, no collision among real catalogs

void put32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_name(Bytes& out, const wire::Name& name) {
  out.insert(out.end(), name.wire().begin(), name.wire().end());
}

// "invalid." (RFC 6761 §6.4): the NS of a catalog (RFC 9432 §4.1), and its SOA's names.
const wire::Name& invalid() {
  static const wire::Name name = *wire::Name::from_text("invalid.");
  return name;
}

Bytes soa_rdata(std::uint32_t serial) {
  Bytes rdata;
  put_name(rdata, invalid());  // MNAME
  put_name(rdata, invalid());  // RNAME
  for (const auto number : {serial, refresh, retry, expire, minimum}) put32(rdata, number);
  return rdata;
}

// Adds one record; a problem goes into `errors`.
void add(ZoneBuilder& builder, const wire::Name& owner, std::uint16_t type, const Bytes& rdata,
         std::vector<std::string>& errors) {
  auto problem = builder.add_record(owner, type, ttl, rdata);
  if (!problem.empty()) errors.push_back(std::move(problem));
}

}  // namespace

std::string catalog_member_id(const wire::Name& member) {
  const auto lowered = member.lowercased();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(lowered.wire().data(), lowered.wire().size(), digest.data(), &size, EVP_sha256(),
                 nullptr) != 1 ||
      size < id_bytes)
    return {};  // OpenSSL failed (out of memory): no id rather than a wrong one
  std::string id;
  for (std::size_t i = 0; i < id_bytes; ++i) id += fmt::format("{:02x}", digest[i]);
  return id;
}

BuildResult build_catalog(const wire::Name& origin, std::uint32_t serial,
                          std::span<const wire::Name> members) {
  ZoneBuilder builder(origin);
  std::vector<std::string> errors;
  add(builder, origin, rrtype::soa, soa_rdata(serial), errors);
  Bytes ns;
  put_name(ns, invalid());
  add(builder, origin, rrtype::ns, ns, errors);
  if (const auto version = origin.child("version"))
    add(builder, *version, rrtype::txt, Bytes{1, '2'}, errors);
  else
    errors.push_back(fmt::format("version.{} is longer than 255 bytes", origin.to_text()));
  const auto zones = origin.child("zones");
  std::vector<std::pair<std::string, wire::Name>> seen;  // id -> member, for duplicates
  for (const auto& member : members) {
    const auto lowered = member.lowercased();
    auto id = catalog_member_id(lowered);
    if (id.empty()) {
      errors.push_back(fmt::format("cannot compute the member id of {}", member.to_text()));
      continue;
    }
    bool duplicate = false;
    for (const auto& [other_id, other] : seen) {
      if (other == lowered)
        errors.push_back(fmt::format("{} is listed twice", member.to_text()));
      else if (other_id == id)
        errors.push_back(fmt::format("{} and {} have the same member id {}", other.to_text(),
                                     member.to_text(), id));
      duplicate = duplicate || other_id == id;
    }
    const auto owner = zones ? zones->child(id) : std::nullopt;
    if (!owner) {
      errors.push_back(fmt::format("{}.zones.{} is longer than 255 bytes", id, origin.to_text()));
      continue;
    }
    if (duplicate) continue;
    seen.emplace_back(std::move(id), lowered);
    Bytes ptr;
    put_name(ptr, lowered);  // one spelling, so a change of case in the config changes nothing
    add(builder, *owner, rrtype::ptr, ptr, errors);
  }
  if (!errors.empty()) return {nullptr, std::move(errors)};
  return std::move(builder).build();
}

}  // namespace dnsd::zone
