// Dropping root, in a forked child (the switch is for good): uid, gid, groups, no way back.
#include <doctest/doctest.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include "service/privileges.hh"
#include "tests/support/in_child.hh"

using test_support::in_child;

namespace {}  // namespace

TEST_CASE("privileges: an unknown user is an error") {
  service::Account account;
  std::string why;
  CHECK_FALSE(service::find_account("no-such-user-dnsd-test", account, why));
  CHECK(why == "no such user \"no-such-user-dnsd-test\"");
  CHECK(service::drop_privileges("no-such-user-dnsd-test") == why);
}

TEST_CASE("privileges: root becomes nobody for good") {
  if (geteuid() != 0) {
    MESSAGE("not root: the switch itself is not tested here");
    CHECK(!service::drop_privileges("root").empty());  // an unprivileged user cannot become root
    return;
  }
  service::Account nobody;
  std::string why;
  REQUIRE(service::find_account("nobody", nobody, why));
  const int code = in_child([&] {
    if (!service::drop_privileges("nobody").empty()) return 1;
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    if (r != nobody.uid || e != nobody.uid || s != nobody.uid) return 2;
    if (gr != nobody.gid || ge != nobody.gid || gs != nobody.gid) return 3;
    gid_t groups[64];
    const int count = getgroups(64, groups);
    for (int i = 0; i < count; ++i)
      if (groups[i] == 0) return 4;  // root's group must not survive
    if (setuid(0) == 0 || seteuid(0) == 0) return 5;
    // Already that user: nothing to do, no error.
    if (!service::drop_privileges("nobody").empty()) return 6;
    // And no switch to anyone else.
    if (service::drop_privileges("root").empty()) return 7;
    return 0;
  });
  CHECK(code == 0);
}
