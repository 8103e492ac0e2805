// dnsd/update/policy.hh: names, types and TTL bounds of a key's policy.
#include <doctest/doctest.h>

#include "dnsd/update/policy.hh"
#include "update_fixture.hh"

using namespace update_test;
namespace rc = dnsd::wire::rcode;
namespace cls = dnsd::wire::rrclass;

TEST_CASE(
    "policy: the default allows TXT at _acme-challenge of every name and below, nothing else") {
  update::Policy policy;
  policy.key = name("k.");
  policy.zones = {name("example.")};
  const auto origin = name("example.");
  struct Case {
    update::Record record;
    bool allowed;
  };
  const Case cases[] = {
      {record("_acme-challenge.example.", "TXT", cls::in, 120, "\"t\""), true},
      {record("a.b._acme-challenge.example.", "TXT", cls::in, 120, "\"t\""), true},
      {record("www.example.", "TXT", cls::in, 120, "\"t\""), false},
      // certbot's name for www.example. and for *.example. (the wildcard's base name).
      {record("_acme-challenge.www.example.", "TXT", cls::in, 120, "\"t\""), true},
      {record("_ACME-Challenge.a.b.example.", "TXT", cls::in, 120, "\"t\""), true},
      {record("x._acme-challenge.www.example.", "TXT", cls::in, 120, "\"t\""), true},
      {record("www._acme-challenge-not.example.", "TXT", cls::in, 120, "\"t\""), false},
      {record("_acme-challenge.other.", "TXT", cls::in, 120, "\"t\""), false},
      {record("_acme-challenge.example.", "A", cls::in, 120, "192.0.2.1"), false},
      {record("_acme-challenge.example.", "TXT", cls::any), true},
      {record("_acme-challenge.example.", "ANY", cls::any), true},
      {record("www.example.", "ANY", cls::any), false},
      {record("_acme-challenge.example.", "TXT", cls::in, 86401, "\"t\""), false},
  };
  for (const auto& c : cases) {
    CAPTURE(update::record_text(c.record));
    const auto verdict = update::check_policy(policy, origin, std::span(&c.record, 1));
    CHECK(verdict.ok() == c.allowed);
    if (!c.allowed) CHECK(verdict.rcode == rc::refused);
  }
}

TEST_CASE("policy: relative names are taken in each zone, absolute ones as written") {
  update::Policy policy;
  policy.names = {"_acme-challenge", "host.example."};
  policy.types = {dnsd::wire::rrtype::a};
  const auto a = record("host.example.", "A", cls::in, 60, "192.0.2.1");
  CHECK(update::check_policy(policy, name("example."), std::span(&a, 1)).ok());
  const auto b = record("_acme-challenge.other.", "A", cls::in, 60, "192.0.2.1");
  CHECK(update::check_policy(policy, name("other."), std::span(&b, 1)).ok());
  CHECK(!update::check_policy(policy, name("example."), std::span(&b, 1)).ok());
}

TEST_CASE("policy: a key is found by its lower-cased name and covers only its zones") {
  update::Policy policy;
  policy.key = name("k.example.");
  policy.zones = {name("example.")};
  const std::vector<update::Policy> policies{policy};
  CHECK(update::find_policy(policies, name("k.example.")) != nullptr);
  CHECK(update::find_policy(policies, name("other.")) == nullptr);
  CHECK(update::covers_zone(policy, name("example.")));
  CHECK(!update::covers_zone(policy, name("sub.example.")));
}

TEST_CASE("policy: an added record's TTL must lie within update_ttl_min and update_ttl_max") {
  update::Policy policy;
  policy.ttl_min = 60;
  policy.ttl_max = 600;
  const auto origin = name("example.");
  struct Case {
    update::Record record;
    bool allowed;
  };
  const Case cases[] = {
      {record("_acme-challenge.example.", "TXT", cls::in, 59, "\"t\""), false},
      {record("_acme-challenge.example.", "TXT", cls::in, 60, "\"t\""), true},
      {record("_acme-challenge.example.", "TXT", cls::in, 600, "\"t\""), true},
      {record("_acme-challenge.example.", "TXT", cls::in, 601, "\"t\""), false},
      // Deletes carry TTL 0 (RFC 2136 §2.5.2-2.5.4): the bounds are for what is added.
      {record("_acme-challenge.example.", "TXT", cls::any), true},
      {record("_acme-challenge.example.", "TXT", cls::none, 0, "\"t\""), true},
  };
  for (const auto& c : cases) {
    CAPTURE(update::record_text(c.record));
    const auto verdict = update::check_policy(policy, origin, std::span(&c.record, 1));
    CHECK(verdict.ok() == c.allowed);
    if (!c.allowed) CHECK(verdict.rcode == rc::refused);
  }
}
