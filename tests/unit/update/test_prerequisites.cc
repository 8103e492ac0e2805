// dnsd/update/prerequisites.hh: RFC 2136 §3.2, one case per rule, as a table.
#include <doctest/doctest.h>

#include "dnsd/update/prerequisites.hh"
#include "update_fixture.hh"

using namespace update_test;
namespace rc = dnsd::wire::rcode;
namespace cls = dnsd::wire::rrclass;

TEST_CASE("prerequisites: each rule of RFC 2136 §3.2 passes or fails with its RCODE") {
  const auto zone = base_zone();
  const char* fixed = "fixed._acme-challenge.example.";
  struct Case {
    update::Record record;
    std::uint16_t rcode;
  };
  const Case cases[] = {
      {record(fixed, "ANY", cls::any), rc::noerror},                        // name in use
      {record("nope.example.", "ANY", cls::any), rc::nxdomain},             //
      {record("_acme-challenge.example.", "ANY", cls::any), rc::nxdomain},  // empty non-terminal
      {record(fixed, "TXT", cls::any), rc::noerror},                        // RRset exists
      {record(fixed, "A", cls::any), rc::nxrrset},                          //
      {record("nope.example.", "ANY", cls::none), rc::noerror},             // name not in use
      {record(fixed, "ANY", cls::none), rc::yxdomain},                      //
      {record(fixed, "A", cls::none), rc::noerror},                         // RRset does not exist
      {record(fixed, "TXT", cls::none), rc::yxrrset},                       //
      {record(fixed, "TXT", cls::in, 0, "\"config\""), rc::noerror},        // RRset equals
      {record(fixed, "TXT", cls::in, 0, "\"other\""), rc::nxrrset},         //
      {record(fixed, "TXT", cls::any, 60), rc::formerr},                    // TTL not 0
      {record("x.other.", "ANY", cls::any), rc::notzone},                   //
      {record(fixed, "TXT", 3), rc::formerr},                               // another class
  };
  for (const auto& c : cases) {
    CAPTURE(c.record.owner.to_text());
    CAPTURE(c.record.type);
    CAPTURE(c.record.rrclass);
    const auto verdict = update::check_prerequisites(*zone, cls::in, std::span(&c.record, 1));
    CHECK(verdict.rcode == c.rcode);
    CHECK(verdict.why.empty() == (c.rcode == rc::noerror));
  }
}

TEST_CASE("prerequisites: a value-dependent RRset must match the zone's as a whole set") {
  const auto zone = base_zone();
  const std::vector<update::Record> superset{record("example.", "NS", cls::in, 0, "ns1.example."),
                                             record("example.", "NS", cls::in, 0, "ns2.example.")};
  CHECK(update::check_prerequisites(*zone, cls::in, superset).rcode == rc::nxrrset);
  const std::vector<update::Record> twice{record("example.", "NS", cls::in, 0, "ns1.example."),
                                          record("example.", "NS", cls::in, 0, "ns1.example.")};
  CHECK(update::check_prerequisites(*zone, cls::in, twice).ok());
}
