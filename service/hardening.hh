// Process hardening that keeps secrets in memory out of files: no core dumps, not dumpable (no
// ptrace attach or /proc/PID/mem by other processes of the same user). Done once at start,
// before any secret is read, and confirmed once root is dropped.
#pragma once

#include <string>

namespace service {

// RLIMIT_CORE soft limit 0 and PR_SET_DUMPABLE 0. The hard limit is kept, so allow_core_dumps()
// can still undo it once the config asks for core dumps. Empty string on success.
std::string forbid_core_dumps();

// The config's decision, after the privileges are dropped (a uid change resets dumpable to
// fs.suid_dumpable, so it is set again here). false: hard limit 0 too, for good. true: soft
// limit raised to the hard limit and dumpable again, for debugging. Empty string on success.
std::string apply_core_dumps(bool allowed);

// What the kernel says now: dumpable (prctl) and the soft core limit in bytes.
bool dumpable();
unsigned long long core_limit();

}  // namespace service
