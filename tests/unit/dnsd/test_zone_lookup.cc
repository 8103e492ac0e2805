// Zone::lookup, one case per outcome of RFC 1034 §4.3.2 step 3, and what the builder works out
// for the answer writers: glue, the negative TTL, and the RRsets in transfer order.
#include <doctest/doctest.h>

#include <algorithm>

#include "dnsd/wire/types.hh"
#include "zone_text.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;
using Kind = zone::Lookup::Kind;

namespace {

const std::vector<std::string> example = {
    "example. 3600 SOA ns1.example. hostmaster.example. 7 3600 600 86400 300",
    "example. 3600 NS ns1.example.",
    "example. 3600 MX 10 mail.example.",
    "example. 3600 MX 20 mx.elsewhere.",
    "ns1.example. 3600 A 192.0.2.1",
    "mail.example. 300 A 192.0.2.25",
    "mail.example. 300 AAAA 2001:db8::25",
    "www.example. 300 A 192.0.2.80",
    "alias.example. 300 CNAME www.example.",
    "b.a.example. 300 TXT \"below an empty non-terminal\"",
    "*.wild.example. 60 A 192.0.2.99",
    "explicit.wild.example. 300 TXT \"explicit\"",
    "sub.example. 86400 NS ns.sub.example.",
    "sub.example. 86400 NS ns1.example.",
    "sub.example. 86400 NS ns.other.",
    "sub.example. 86400 DS \\# 4 30390D02",
    "ns.sub.example. 86400 A 192.0.2.53",
};

std::string owner(const zone::Node* node) { return node ? node->owner.to_text() : "(none)"; }

zone::Lookup look(const zone::Zone& zone, const std::string& name, std::uint16_t qtype) {
  return zone.lookup(wire::Name::from_text(name)->lowercased().wire(), qtype);
}

}  // namespace

TEST_CASE("lookup: the asked type at an existing name is a hit on its RRset") {
  const auto zone = zone_text::build("example.", example);
  const auto found = look(*zone, "WWW.example.", rrtype::a);
  CHECK(found.kind == Kind::hit);
  CHECK(owner(found.node) == "www.example.");
  REQUIRE(found.rrset);
  CHECK(found.rrset->type == rrtype::a);
  CHECK(found.closest_encloser == found.node);
  CHECK_FALSE(found.wildcard);
}

TEST_CASE("lookup: a name without the type, or an empty non-terminal, is NODATA") {
  const auto zone = zone_text::build("example.", example);
  auto found = look(*zone, "www.example.", rrtype::txt);
  CHECK(found.kind == Kind::nodata);
  CHECK(owner(found.node) == "www.example.");
  CHECK(found.rrset == nullptr);
  found = look(*zone, "a.example.", rrtype::a);  // exists only because b.a.example. does
  CHECK(found.kind == Kind::nodata);
  CHECK(found.node->is_empty_non_terminal());
}

TEST_CASE("lookup: a missing name is NXDOMAIN at its closest encloser") {
  const auto zone = zone_text::build("example.", example);
  const auto found = look(*zone, "x.y.a.example.", rrtype::a);
  CHECK(found.kind == Kind::nxdomain);
  CHECK(owner(found.closest_encloser) == "a.example.");
}

TEST_CASE("lookup: a CNAME is returned to be followed unless CNAME itself is asked") {
  const auto zone = zone_text::build("example.", example);
  auto found = look(*zone, "alias.example.", rrtype::a);
  CHECK(found.kind == Kind::cname);
  CHECK(found.rrset->type == rrtype::cname);
  found = look(*zone, "alias.example.", rrtype::cname);
  CHECK(found.kind == Kind::hit);
}

TEST_CASE(
    "lookup: at or below a zone cut is a referral to the cut, but DS at the cut is the parent's") {
  const auto zone = zone_text::build("example.", example);
  for (const char* name : {"sub.example.", "ns.sub.example.", "deep.host.sub.example."}) {
    CAPTURE(name);
    const auto found = look(*zone, name, rrtype::a);
    CHECK(found.kind == Kind::referral);
    CHECK(owner(found.node) == "sub.example.");
    CHECK(found.rrset->type == rrtype::ns);
  }
  CHECK(look(*zone, "sub.example.", rrtype::ds).kind == Kind::hit);  // RFC 4035 §3.1.4.1
  CHECK(look(*zone, "x.sub.example.", rrtype::ds).kind == Kind::referral);
}

TEST_CASE("lookup: a wildcard answers below its parent, not at or below explicit names") {
  const auto zone = zone_text::build("example.", example);
  auto found = look(*zone, "any.thing.wild.example.", rrtype::a);
  CHECK(found.kind == Kind::hit);
  CHECK(found.wildcard);
  CHECK(owner(found.node) == "*.wild.example.");
  CHECK(owner(found.closest_encloser) == "wild.example.");
  found = look(*zone, "x.wild.example.", rrtype::txt);  // RFC 4592 §3.3.1: NODATA from the wildcard
  CHECK(found.kind == Kind::nodata);
  CHECK(found.wildcard);
  found = look(*zone, "explicit.wild.example.", rrtype::a);
  CHECK(found.kind == Kind::nodata);
  CHECK_FALSE(found.wildcard);
  found = look(*zone, "x.explicit.wild.example.", rrtype::a);
  CHECK(found.kind == Kind::nxdomain);
  CHECK(owner(found.closest_encloser) == "explicit.wild.example.");
}

TEST_CASE("lookup: ANY gets the name's lowest-typed RRset (RFC 8482 §4.1)") {
  const auto zone = zone_text::build("example.", example);
  const auto found = look(*zone, "example.", rrtype::any);
  CHECK(found.kind == Kind::hit);
  CHECK(found.rrset->type == rrtype::ns);
  CHECK(look(*zone, "a.example.", rrtype::any).kind == Kind::nodata);
}

TEST_CASE("zone build: glue for a cut's NS names is found once, in-bailiwick glue required") {
  const auto zone = zone_text::build("example.", example);
  const zone::Node& cut = *zone->find(*wire::Name::from_text("sub.example."));
  REQUIRE(cut.glues.size() == 2);  // ns.other. is not in this zone
  CHECK(owner(cut.glues[0].node) == "ns.sub.example.");
  CHECK(cut.glues[0].required);
  CHECK(owner(cut.glues[1].node) == "ns1.example.");  // sibling glue: added if it fits
  CHECK_FALSE(cut.glues[1].required);
  const zone::Node& apex = zone->apex();
  std::vector<std::string> targets;
  for (const auto& glue : apex.glues)
    targets.push_back(wire::type_to_text(glue.rrset_type) + " " + owner(glue.node));
  CHECK(targets == std::vector<std::string>{"NS ns1.example.", "MX mail.example."});
  for (const auto& glue : apex.glues) CHECK_FALSE(glue.required);
}

TEST_CASE("zone build: the negative TTL is min(SOA TTL, MINIMUM) and the serial is read once") {
  const auto zone = zone_text::build("example.", example);
  CHECK(zone->negative_ttl() == 300);
  CHECK(zone->serial() == 7);
  auto lines = example;
  lines[0] = "example. 60 SOA ns1.example. hostmaster.example. 8 3600 600 86400 300";
  CHECK(zone_text::build("example.", lines)->negative_ttl() == 60);
}

TEST_CASE("zone: every RRset can be walked with owner, type, TTL and rdatas, the apex first") {
  const auto zone = zone_text::build("example.", example);
  const auto records = zone_text::records_of(*zone);
  REQUIRE(records.size() == example.size());
  CHECK(records.front().starts_with("example. "));
  for (const auto& line : example)
    CHECK(std::find(records.begin(), records.end(), line) != records.end());
}
