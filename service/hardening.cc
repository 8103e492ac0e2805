// No core dumps by default: a dump holds the probe header values and the admin token in clear.
#include "service/hardening.hh"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace service {
namespace {

std::string failed(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

}  // namespace

std::string forbid_core_dumps() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_CORE, &limit) != 0) return failed("getrlimit(RLIMIT_CORE)");
  limit.rlim_cur = 0;
  if (::setrlimit(RLIMIT_CORE, &limit) != 0) return failed("setrlimit(RLIMIT_CORE)");
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return failed("prctl(PR_SET_DUMPABLE)");
  return {};
}

std::string apply_core_dumps(bool allowed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_CORE, &limit) != 0) return failed("getrlimit(RLIMIT_CORE)");
  if (allowed) {
    limit.rlim_cur = limit.rlim_max;
  } else {
    limit.rlim_cur = 0;
    limit.rlim_max = 0;  // lowering the hard limit needs no privilege; raising it again would
  }
  if (::setrlimit(RLIMIT_CORE, &limit) != 0) return failed("setrlimit(RLIMIT_CORE)");
  if (::prctl(PR_SET_DUMPABLE, allowed ? 1 : 0, 0, 0, 0) != 0)
    return failed("prctl(PR_SET_DUMPABLE)");
  return {};
}

bool dumpable() { return ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1; }

unsigned long long core_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_CORE, &limit);
  return limit.rlim_cur;
}

}  // namespace service
