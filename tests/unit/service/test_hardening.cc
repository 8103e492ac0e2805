// Core dumps off, in a forked child each time (the hard limit, once lowered, stays lowered):
// what the kernel reports afterwards, and that dnsd can still read its own /proc entries.
#include <dirent.h>
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "service/hardening.hh"
#include "service/privileges.hh"
#include "tests/support/in_child.hh"

using test_support::in_child;

namespace {

bool reads_own_proc() {
  std::ifstream status("/proc/self/status");
  std::string line;
  if (!std::getline(status, line)) return false;
  DIR* fds = opendir("/proc/self/fd");  // 0500 and owned by root once not dumpable
  if (fds == nullptr) return false;
  closedir(fds);
  return true;
}

}  // namespace

TEST_CASE("hardening: forbidding core dumps sets the core limit to 0 and the process undumpable") {
  CHECK(in_child([] {
          if (!service::forbid_core_dumps().empty()) return 1;
          if (service::dumpable()) return 2;
          if (service::core_limit() != 0) return 3;
          if (!reads_own_proc()) return 4;
          return 0;
        }) == 0);
}

TEST_CASE("hardening: without core dumps the hard limit goes to 0 too, for good") {
  CHECK(in_child([] {
          if (!service::forbid_core_dumps().empty()) return 1;
          if (!service::apply_core_dumps(false).empty()) return 2;
          rlimit limit{};
          getrlimit(RLIMIT_CORE, &limit);
          if (limit.rlim_cur != 0 || limit.rlim_max != 0) return 3;
          if (service::dumpable()) return 4;
          return 0;
        }) == 0);
}

TEST_CASE("hardening: core_dumps = true undoes it up to the hard limit") {
  CHECK(in_child([] {
          rlimit before{};
          getrlimit(RLIMIT_CORE, &before);
          if (!service::forbid_core_dumps().empty()) return 1;
          if (!service::apply_core_dumps(true).empty()) return 2;
          if (!service::dumpable()) return 3;
          if (service::core_limit() != before.rlim_max) return 4;
          return 0;
        }) == 0);
}

TEST_CASE("hardening: after dropping root, an undumpable dnsd still reads its own /proc") {
  if (geteuid() != 0) {
    MESSAGE("not root: the drop to nobody is not tested here");
    return;
  }
  CHECK(in_child([] {
          if (!service::forbid_core_dumps().empty()) return 1;
          if (!service::drop_privileges("nobody").empty()) return 2;
          if (!service::apply_core_dumps(false).empty()) return 3;
          if (service::dumpable()) return 4;
          if (!reads_own_proc()) return 5;
          return 0;
        }) == 0);
}
