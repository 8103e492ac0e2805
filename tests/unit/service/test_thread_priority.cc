// run_in_background(): the calling thread, and only it, ends up named, k_background_nice_steps
// nice levels below the process and SCHED_BATCH, as /proc reports it.
#include <doctest/doctest.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "service/thread_priority.hh"

namespace {

struct Seen {
  std::string name;
  int nice = 0;
  int policy = -1;
};

Seen seen(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Seen out;
  out.name = stat.substr(stat.find('(') + 1, stat.rfind(')') - stat.find('(') - 1);
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int number = 3; fields >> field; ++number) {
    if (number == 19) out.nice = std::stoi(field);
    if (number == 41) out.policy = std::stoi(field);
  }
  return out;
}

}  // namespace

TEST_CASE("a background thread is named, lowered below the process and batch-scheduled") {
  const int process_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(getpid()));
  std::string error = "not run";
  Seen background;
  std::thread thread([&] {
    error = service::run_in_background("test-bg");
    background = seen(gettid());
  });
  thread.join();
  CHECK(error.empty());
  CHECK(background.name == "test-bg");
  CHECK(background.nice == std::min(19, process_nice + service::k_background_nice_steps));
  CHECK(background.policy == SCHED_BATCH);
}

TEST_CASE("a thread started by a background thread is lowered from the process, not further") {
  const int process_nice = getpriority(PRIO_PROCESS, static_cast<id_t>(getpid()));
  Seen inner;
  std::thread outer([&] {
    service::run_in_background("test-outer");
    std::thread nested([&] {
      service::run_in_background("test-inner");
      inner = seen(gettid());
    });
    nested.join();
  });
  outer.join();
  CHECK(inner.nice == std::min(19, process_nice + service::k_background_nice_steps));
}

TEST_CASE("the calling thread's neighbours keep their priority") {
  const Seen before = seen(gettid());
  std::thread thread([] { service::run_in_background("test-bg"); });
  thread.join();
  const Seen after = seen(gettid());
  CHECK(after.nice == before.nice);
  CHECK(after.policy == before.policy);
}
