// Test support: the example zone, a serving state built from records in presentation format,
// queries, and responses decoded into text, so engine tests read like dig output.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dnsd/engine.hh"
#include "tests/support/served_state.hh"

namespace fixture {

using test_support::Served;

// The example. zone of the engine and prepared-answer tests, one record a line: an apex with
// SOA, NS and MX and their in-zone addresses, a CNAME chain into the zone and one out of it, an
// empty non-terminal, a wildcard beside an explicit name, and a delegation with glue. `extra` is
// appended: the records one file's cases need and the other's must not see.
std::vector<std::string> example_zone(const std::vector<std::string>& extra = {});

// Records are "owner ttl TYPE rdata" with absolute owners.
std::unique_ptr<Served> serve(
    const std::string& origin, const std::vector<std::string>& records, routing::Model model = {},
    const std::vector<std::pair<std::string, routing::ProfileId>>& profiles = {});

struct QueryOptions {
  std::uint16_t id = 0x1234;
  std::uint16_t flags = 0x0100;  // RD
  bool edns = false;
  std::uint16_t udp_payload = 1232;
  std::uint8_t edns_version = 0;
};
std::vector<std::uint8_t> query(const std::string& qname, std::uint16_t qtype,
                                QueryOptions options = {}, std::uint16_t qclass = 1);

struct Decoded {
  std::uint16_t id = 0, flags = 0, rcode = 0;
  bool aa = false, tc = false, qr = false;
  std::string question;                                    // "name TYPE" as received
  std::vector<std::string> answer, authority, additional;  // "owner ttl TYPE rdata"
  bool edns = false;
  std::uint16_t edns_payload = 0;
};
Decoded decode(std::span<const std::uint8_t> response);

}  // namespace fixture
