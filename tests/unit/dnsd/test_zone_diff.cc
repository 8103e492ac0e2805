// zone::apply: a new zone from the previous one plus a diff. Adds, removals, replaced RRsets
// and SOA changes; diffs that break the zone's rules are refused and change nothing.
#include <doctest/doctest.h>

#include <algorithm>

#include "dnsd/wire/types.hh"
#include "zone_text.hh"

using namespace dnsd;
namespace rrtype = wire::rrtype;

namespace {

const std::vector<std::string> example = {
    "example. 3600 SOA ns1.example. hostmaster.example. 1 3600 600 86400 300",
    "example. 3600 NS ns1.example.",
    "ns1.example. 3600 A 192.0.2.1",
    "www.example. 300 A 192.0.2.80",
    "www.example. 300 A 192.0.2.81",
    "mail.example. 300 A 192.0.2.25",
};

zone::Record rr(const std::string& line) { return zone_text::record("example.", line); }

bool holds(const zone::Zone& zone, const std::string& line) {
  const auto records = zone_text::records_of(zone);
  return std::find(records.begin(), records.end(), line) != records.end();
}

std::string joined(const std::vector<std::string>& errors) {
  std::string all;
  for (const auto& error : errors) all += error + "\n";
  return all;
}

}  // namespace

TEST_CASE("diff: an added record appears in the new zone and the old zone keeps its own") {
  const auto old_zone = zone_text::build("example.", example);
  auto diff = zone::Diff::starting_at(*old_zone, 2);
  diff.added.push_back(rr("ftp.example. 300 A 192.0.2.21"));
  auto result = zone::apply(*old_zone, diff);
  REQUIRE_MESSAGE(result.zone, joined(result.errors));
  CHECK(holds(*result.zone, "ftp.example. 300 A 192.0.2.21"));
  CHECK(result.zone->serial() == 2);
  CHECK(zone_text::records_of(*result.zone).size() == example.size() + 1);
  CHECK_FALSE(holds(*old_zone, "ftp.example. 300 A 192.0.2.21"));
  CHECK(old_zone->serial() == 1);
}

TEST_CASE("diff: a removed record is gone, and a name left empty no longer exists") {
  const auto old_zone = zone_text::build("example.", example);
  auto diff = zone::Diff::starting_at(*old_zone, 2);
  diff.removed.push_back(rr("www.example. 300 A 192.0.2.80"));
  diff.removed.push_back(rr("mail.example. 300 A 192.0.2.25"));
  auto result = zone::apply(*old_zone, diff);
  REQUIRE_MESSAGE(result.zone, joined(result.errors));
  CHECK_FALSE(holds(*result.zone, "www.example. 300 A 192.0.2.80"));
  CHECK(holds(*result.zone, "www.example. 300 A 192.0.2.81"));
  const auto mail_name = *wire::Name::from_text("mail.example.");
  const auto mail = mail_name.wire();
  CHECK(result.zone->lookup(mail, rrtype::a).kind == zone::Lookup::Kind::nxdomain);
  CHECK(old_zone->lookup(mail, rrtype::a).kind == zone::Lookup::Kind::hit);
}

TEST_CASE("diff: an RRset is replaced by removing all of it and adding the new records") {
  const auto old_zone = zone_text::build("example.", example);
  auto diff = zone::Diff::starting_at(*old_zone, 2);
  diff.remove_rrset(*old_zone, *wire::Name::from_text("WWW.example."), rrtype::a);
  CHECK(diff.removed.size() == 2);
  diff.added.push_back(rr("www.example. 60 A 192.0.2.81"));  // kept rdata, new TTL
  diff.added.push_back(rr("www.example. 60 A 192.0.2.82"));
  auto result = zone::apply(*old_zone, diff);
  REQUIRE_MESSAGE(result.zone, joined(result.errors));
  const auto records = zone_text::records_of(*result.zone);
  CHECK(std::count_if(records.begin(), records.end(),
                      [](const std::string& r) { return r.starts_with("www.example. "); }) == 2);
  CHECK(holds(*result.zone, "www.example. 60 A 192.0.2.81"));
  CHECK(holds(*result.zone, "www.example. 60 A 192.0.2.82"));
}

TEST_CASE("diff: the new SOA replaces the old, with its serial and negative TTL") {
  const auto old_zone = zone_text::build("example.", example);
  zone::Diff diff;
  diff.old_soa = zone::soa_record(*old_zone);
  diff.new_soa = rr("example. 3600 SOA ns1.example. hostmaster.example. 2 3600 600 86400 120");
  auto result = zone::apply(*old_zone, diff);
  REQUIRE_MESSAGE(result.zone, joined(result.errors));
  CHECK(result.zone->serial() == 2);
  CHECK(result.zone->negative_ttl() == 120);
  CHECK(holds(*result.zone,
              "example. 3600 SOA ns1.example. hostmaster.example. 2 3600 600 86400 120"));
  CHECK(result.zone->apex().find(rrtype::soa)->rdatas.size() == 1);
  CHECK(old_zone->negative_ttl() == 300);
}

TEST_CASE("diff: glue is worked out again for the new zone") {
  const auto old_zone = zone_text::build("example.", example);
  auto diff = zone::Diff::starting_at(*old_zone, 2);
  diff.added.push_back(rr("sub.example. 3600 NS ns.sub.example."));
  diff.added.push_back(rr("ns.sub.example. 3600 A 192.0.2.53"));
  auto result = zone::apply(*old_zone, diff);
  REQUIRE_MESSAGE(result.zone, joined(result.errors));
  const auto sub = *wire::Name::from_text("sub.example.");
  const auto found = result.zone->lookup(sub.wire(), rrtype::a);
  CHECK(found.kind == zone::Lookup::Kind::referral);
  REQUIRE(found.node->glues.size() == 1);
  CHECK(found.node->glues[0].required);
}

TEST_CASE("diff: a diff that would break the zone's rules is refused and the old zone stands") {
  const auto old_zone = zone_text::build("example.", example);
  const auto before = zone_text::records_of(*old_zone);
  auto refused = [&](zone::Diff diff, const std::string& expected) {
    CAPTURE(expected);
    const auto result = zone::apply(*old_zone, diff);
    CHECK(result.zone == nullptr);
    CHECK(joined(result.errors).find(expected) != std::string::npos);
    CHECK(zone_text::records_of(*old_zone) == before);
    CHECK(old_zone->serial() == 1);
  };
  auto cname = zone::Diff::starting_at(*old_zone, 2);
  cname.added.push_back(rr("www.example. 300 CNAME mail.example."));
  refused(cname, "CNAME and other data");
  auto no_ns = zone::Diff::starting_at(*old_zone, 2);
  no_ns.remove_rrset(*old_zone, old_zone->origin(), rrtype::ns);
  refused(no_ns, "no NS records at the zone apex");
  auto absent = zone::Diff::starting_at(*old_zone, 2);
  absent.removed.push_back(rr("www.example. 300 A 192.0.2.99"));
  refused(absent, "does not hold");
  auto present = zone::Diff::starting_at(*old_zone, 2);
  present.added.push_back(rr("www.example. 300 A 192.0.2.80"));
  refused(present, "already holds");
  auto outside = zone::Diff::starting_at(*old_zone, 2);
  outside.added.push_back(rr("www.example.org. 300 A 192.0.2.1"));
  refused(outside, "outside the zone");
  refused(zone::Diff::starting_at(*old_zone, 1), "not newer");
  refused(zone::Diff::starting_at(*old_zone, 0x80000001u), "not newer");  // half the circle back
  auto stale = zone::Diff::starting_at(*old_zone, 3);
  stale.old_soa = rr("example. 3600 SOA ns1.example. hostmaster.example. 2 3600 600 86400 300");
  refused(stale, "starts at serial 2, the zone is at serial 1");
  auto soa_in_added = zone::Diff::starting_at(*old_zone, 2);
  soa_in_added.added.push_back(
      rr("example. 3600 SOA ns1.example. hostmaster.example. 5 3600 600 86400 300"));
  refused(soa_in_added, "SOA changes through the diff's SOAs only");
}

TEST_CASE("diff: health-routed names are carried into the new zone") {
  const auto origin = *wire::Name::from_text("example.");
  zone::ZoneBuilder builder(origin);
  for (const auto& line : example) {
    const auto r = rr(line);
    REQUIRE(builder.add_record(r.owner, r.type, r.ttl, r.rdata).empty());
  }
  REQUIRE(builder.add_profile(*wire::Name::from_text("app.example."), 3).empty());
  auto built = std::move(builder).build();
  REQUIRE(built.zone);
  auto diff = zone::Diff::starting_at(*built.zone, 2);
  diff.added.push_back(rr("ftp.example. 300 A 192.0.2.21"));
  auto result = zone::apply(*built.zone, diff);
  REQUIRE_MESSAGE(result.zone, joined(result.errors));
  const auto* app = result.zone->find(*wire::Name::from_text("app.example."));
  REQUIRE(app);
  CHECK(app->profile == routing::ProfileId{3});
}
