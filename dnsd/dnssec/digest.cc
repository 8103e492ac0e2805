// Key tag and DS digest (see digest.hh). OpenSSL's one-shot SHA-256.
#include "dnsd/dnssec/digest.hh"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <array>

#include "dnsd/wire/name.hh"

namespace dnsd::dnssec {

// RFC 4034 Appendix B: the one's-complement-style sum over the rdata, for every algorithm but 1.
std::uint16_t key_tag(std::span<const std::uint8_t> rdata) noexcept {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < rdata.size(); ++i)
    sum += (i & 1) ? rdata[i] : static_cast<std::uint32_t>(rdata[i]) << 8;
  sum += (sum >> 16) & 0xffff;
  return static_cast<std::uint16_t>(sum & 0xffff);
}

std::vector<std::uint8_t> ds_rdata(std::span<const std::uint8_t> owner,
                                   std::span<const std::uint8_t> dnskey) {
  std::array<std::uint8_t, wire::max_name_size> lowered;
  const auto name = wire::lower_into(owner, lowered);
  std::vector<std::uint8_t> input(name.begin(), name.end());
  input.insert(input.end(), dnskey.begin(), dnskey.end());
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest;
  SHA256(input.data(), input.size(), digest.data());
  const std::uint16_t tag = key_tag(dnskey);
  std::vector<std::uint8_t> ds = {static_cast<std::uint8_t>(tag >> 8),
                                  static_cast<std::uint8_t>(tag),
                                  dnskey.size() > 3 ? dnskey[3] : std::uint8_t{0}, digest_sha256};
  ds.insert(ds.end(), digest.begin(), digest.end());
  return ds;
}

std::string ds_text(std::span<const std::uint8_t> ds) {
  if (ds.size() < 4) return {};
  std::string out = fmt::format("{} {} {} ", ds[0] << 8 | ds[1], ds[2], ds[3]);
  for (std::size_t i = 4; i < ds.size(); ++i) out += fmt::format("{:02x}", ds[i]);
  return out;
}

}  // namespace dnsd::dnssec
