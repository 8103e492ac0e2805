// ChildProcess: a program started for a test, with its stdout readable line by line.
// Stopped by its own pid only (SIGTERM, then SIGKILL after a bound), never by name.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace test_support {

class ChildProcess {
 public:
  // Returns nullopt (and fills error) when the program cannot be started.
  static std::optional<ChildProcess> spawn(const std::vector<std::string>& argv,
                                           std::string& error);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  // One line of stdout (without the newline), or nullopt at EOF or when the bound passes.
  std::optional<std::string> read_line(std::chrono::milliseconds bound);
  // SIGTERM, wait up to bound, then SIGKILL. Returns the exit status as waitpid reports it.
  int stop(std::chrono::milliseconds bound = std::chrono::milliseconds(3000));
  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, int out) : pid_(pid), out_(out) {}
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
};

// Runs a program to completion (bounded); true when it exited with status 0.
bool run_program(const std::vector<std::string>& argv, std::chrono::milliseconds bound);

}  // namespace test_support
