// ChildProcess: posix_spawn with a stdout pipe; bounded reads and stops.
#include "tests/support/child_process.hh"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

extern char** environ;

namespace test_support {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> c_args(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Waits for pid up to the deadline; returns the status, or nullopt if still running.
std::optional<int> reap(pid_t pid, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll step of a deadline loop
  }
}

}  // namespace

std::optional<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                std::string& error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  pid_t pid = -1;
  auto args = c_args(argv);
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    error = std::string("spawn ") + argv[0] + ": " + std::strerror(rc);
    return std::nullopt;
  }
  return ChildProcess(pid, fds[0]);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), out_(other.out_), pending_(std::move(other.pending_)) {
  other.pid_ = -1;
  other.out_ = -1;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) stop();
  if (out_ >= 0) close(out_);
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds bound) {
  const auto deadline = Clock::now() + bound;
  for (;;) {
    if (const auto nl = pending_.find('\n'); nl != std::string::npos) {
      auto line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[512];
    const auto n = read(out_, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

int ChildProcess::stop(std::chrono::milliseconds bound) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  auto status = reap(pid_, Clock::now() + bound);
  if (!status) {
    kill(pid_, SIGKILL);
    status = reap(pid_, Clock::now() + std::chrono::seconds(5));
  }
  pid_ = -1;
  return status.value_or(-1);
}

bool run_program(const std::vector<std::string>& argv, std::chrono::milliseconds bound) {
  pid_t pid = -1;
  auto args = c_args(argv);
  // Quiet: openssl draws progress dots on stderr.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  auto status = reap(pid, Clock::now() + bound);
  if (!status) {
    kill(pid, SIGKILL);
    reap(pid, Clock::now() + std::chrono::seconds(5));
    return false;
  }
  return WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

}  // namespace test_support
