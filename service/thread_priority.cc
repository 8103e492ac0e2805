// Background threads below query threads (see thread_priority.hh). Linux: setpriority() with a
// thread id sets that thread's nice value only, and sched_setscheduler() with a thread id that
// thread's policy.
#include "service/thread_priority.hh"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace service {

std::string run_in_background(const char* name) {
  pthread_setname_np(pthread_self(), name);  // over 15 bytes: refused, the old name stays
  const pid_t tid = ::gettid();
  errno = 0;
  // The main thread's (its id is the process id), not this thread's: a thread started by a
  // background thread (probes restarted by a reload from the admin API) inherits its nice value.
  const int process_nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::getpid()));
  if (process_nice == -1 && errno != 0) return fmt::format("getpriority: {}", std::strerror(errno));
  const int nice = std::min(19, process_nice + k_background_nice_steps);
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) != 0)
    return fmt::format("setpriority({}): {}", nice, std::strerror(errno));
  const sched_param param{};
  if (::sched_setscheduler(tid, SCHED_BATCH, &param) != 0)
    return fmt::format("sched_setscheduler(SCHED_BATCH): {}", std::strerror(errno));
  return {};
}

}  // namespace service
