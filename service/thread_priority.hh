// Background threads (probing, timers, publishing, the admin API, fleet) share cores with the
// query threads; on a busy core the scheduler should run a query thread first. Each background
// thread calls run_in_background() as its first act; query threads call nothing.
#pragma once

#include <string>

namespace service {

// How many nice levels a background thread sits below the process (capped at 19). Nice only
// weighs threads against each other inside one scheduling group (autogroup or cgroup), which is
// where dnsd's own threads meet: a query thread then gets about 10x a busy background thread's
// share, and preempts it on wake-up at once.
inline constexpr int k_background_nice_steps = 10;

// Names the calling thread (at most 15 bytes show in /proc/PID/task/TID/comm), raises its nice
// value k_background_nice_steps above the process's and switches it to SCHED_BATCH: its
// wake-ups then never preempt a running query thread; it waits for the query thread's slice to
// end (the kernel's base slice, a few milliseconds at most). Under a query flood it still gets
// its share, so probes and health decisions go on. Unprivileged: lowering priority is always
// allowed. Returns an error message, empty on success; a failure leaves the thread as it was.
std::string run_in_background(const char* name);

}  // namespace service
