// Child processes for the tests that drive the real `fulei` binary: run a command to completion
// (stdin text in; stdout, stderr and the exit code out), or start one in the background and
// signal it later. POSIX only; header-only.
#ifndef FULEI_TESTS_SUPPORT_PROCESS_H_
#define FULEI_TESTS_SUPPORT_PROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace fulei::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal (see signal)
  int signal = 0;
  std::string out, err;
};

namespace internal {
inline pid_t Spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

inline ProcessResult Decode(int status) {
  ProcessResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}
}  // namespace internal

// Runs argv (argv[0] an absolute path) with `input` on stdin; returns when it exits.
inline ProcessResult Run(const std::vector<std::string>& argv, const std::string& input = "") {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    return {};
  }
  const pid_t pid = internal::Spawn(argv, in[0], out[1], err[1]);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  std::thread writer([fd = in[1], input] {
    size_t done = 0;
    while (done < input.size()) {
      const ssize_t w = ::write(fd, input.data() + done, input.size() - done);
      if (w <= 0) break;
      done += static_cast<size_t>(w);
    }
    ::close(fd);
  });
  std::string o, e;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[8192];
  while (open_fds > 0) {
    if (::poll(fds, 2, 1000) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      const ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? o : e).append(buf, static_cast<size_t>(r));
      }
    }
  }
  writer.join();
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult r = internal::Decode(status);
  r.out = std::move(o);
  r.err = std::move(e);
  return r;
}

// A process running in the background, its stdout and stderr appended to `log_path`.
class Background {
 public:
  Background() = default;
  Background(const std::vector<std::string>& argv, const std::string& log_path) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_ = internal::Spawn(argv, null, log, log);
    ::close(log);
    ::close(null);
  }
  Background(Background&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
  Background& operator=(Background&& o) noexcept {
    if (this != &o) {
      Kill();
      pid_ = std::exchange(o.pid_, -1);
    }
    return *this;
  }
  ~Background() { Kill(); }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Sends `sig` and waits up to `limit` for the exit; SIGKILL after that.
  ProcessResult Stop(int sig = SIGTERM,
                     std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    if (pid_ <= 0) return {};
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return internal::Decode(status);
  }
  void Kill() {
    if (pid_ > 0) Stop(SIGKILL);
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace fulei::testing

#endif  // FULEI_TESTS_SUPPORT_PROCESS_H_
