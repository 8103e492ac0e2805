// Test support for dnsd/xfr: a zone source over one zone, requests as secondaries send them
// (optionally TSIG-signed), and the records of response messages read back.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dnsd/tsig/key.hh"
#include "dnsd/tsig/sign.hh"
#include "dnsd/xfr/source.hh"
#include "dnsd/xfr/transfer.hh"

namespace xfr_test {

using namespace std::chrono_literals;
inline const std::chrono::sys_seconds now{std::chrono::seconds(1'700'000'000)};

struct OneZone : dnsd::xfr::ZoneSource {
  std::unique_ptr<dnsd::zone::Zone> zone;
  std::unique_ptr<dnsd::zone::Journal> journal;
  dnsd::xfr::Acl acl;
  std::optional<dnsd::xfr::Transferable> find(
      std::span<const std::uint8_t> lowercased_origin) const override;
};

// The zone example. with `extra` records besides its SOA (serial `serial`) and NS.
std::unique_ptr<dnsd::zone::Zone> example_zone(std::uint32_t serial,
                                               const std::vector<std::string>& extra = {});
std::string soa_line(std::uint32_t serial);

dnsd::tsig::Key key(const std::string& name, const std::string& secret_base64);
routing::ClientInfo client(const std::string& address);
dnsd::xfr::AclEntry entry(std::optional<std::string> key, std::optional<std::string> range);

struct Request {
  std::vector<std::uint8_t> bytes;
  dnsd::tsig::Mac mac;
};
// An AXFR (no serial) or IXFR (the client's serial in the authority SOA) for `zone`.
Request request(const std::string& zone, std::optional<std::uint32_t> ixfr_serial,
                const dnsd::tsig::Key* key = nullptr, std::chrono::sys_seconds at = xfr_test::now);

struct Rr {
  std::string owner;
  std::uint16_t type = 0;
  std::uint32_t serial = 0;  // for an SOA
};
struct Message {
  std::uint16_t id = 0, flags = 0, qdcount = 0, arcount = 0;
  std::uint16_t rcode() const { return flags & 0xf; }
  std::vector<Rr> answers;
};
Message read_message(std::span<const std::uint8_t> message);

// Every message of the transfer, at most `size` bytes each.
std::vector<std::vector<std::uint8_t>> run(dnsd::xfr::Transfer& transfer,
                                           std::size_t size = dnsd::xfr::max_message_size);

}  // namespace xfr_test
