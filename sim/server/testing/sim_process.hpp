// Starts shoal-sim as a child process and waits for its "listening" line; stops it with a
// signal and reports how it exited. Used by the end-to-end tests and by bench-cosim.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace shoal::sim::testing {

class SimProcess {
 public:
  // Launches `binary args...` with stdout on a pipe and stderr appended to `stderr_path`
  // (or inherited when empty).
  SimProcess(const std::string& binary, const std::vector<std::string>& args,
             const std::string& stderr_path = {}) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(p[1], 1);
      if (!stderr_path.empty()) {
        const int e = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (e >= 0) ::dup2(e, 2);
      }
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(binary.c_str()));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(p[1]);
    out_fd_ = p[0];
  }
  ~SimProcess() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      int st;
      ::waitpid(pid_, &st, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }

  // Reads stdout until a line containing `needle` appears; false on EOF or timeout.
  bool wait_for_line(const std::string& needle, int timeout_ms = 120000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (output_.find(needle) != std::string::npos) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return false;
      pollfd pf{out_fd_, POLLIN, 0};
      const int r = ::poll(&pf, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      char buf[512];
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return output_.find(needle) != std::string::npos;
      output_.append(buf, static_cast<size_t>(n));
    }
  }
  const std::string& output() const { return output_; }

  // Waits for the process to exit (up to timeout); returns the waitpid status.
  std::optional<int> wait_exit(int timeout_ms = 60000) {
    if (status_) return status_;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      int st = 0;
      const pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        status_ = st;
        return status_;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // Sends `sig` and waits; returns the waitpid status (nullopt if it would not exit).
  std::optional<int> stop(int sig = SIGTERM, int timeout_ms = 60000) {
    if (!running()) return status_;
    ::kill(pid_, sig);
    return wait_exit(timeout_ms);
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string output_;
  std::optional<int> status_;
};

}  // namespace shoal::sim::testing
