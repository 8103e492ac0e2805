// Runs a test body in a forked child, for what a process can do only once (drop root, lower a
// hard limit) and must not do to the test runner itself.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace test_support {

// Runs `body` in a child process and returns its exit code (body's return value).
template <typename Body>
int in_child(Body body) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(body());
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace test_support
