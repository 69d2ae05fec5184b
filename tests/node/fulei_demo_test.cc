// `fulei demo` as a person runs it (issue 16): the real binary, which starts a city of one town
// and one village as real `fulei run` processes on loopback, enrolled by `fulei invite` and
// `fulei join`, fills the village, files urgent reports and stops the town once to show the
// fallback. The test reads the demo's output (not a terminal: one line per event), waits until
// it has shown a report's receipts from the town and from the city, the fallback report
// reaching the city while the town was down and the restarted town converging, then presses
// Ctrl-C (SIGINT) and checks that the demo exits 0, that no process of it is left and that its
// temporary directory is gone. The binary's path comes from CMake (FULEI_BINARY).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A running `fulei demo`: its stdout and stderr on one pipe, TMPDIR set to `tmpdir`.
class DemoProcess {
 public:
  DemoProcess(const std::vector<std::string>& args, const std::string& tmpdir) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    std::vector<std::string> argv{FULEI_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env{"TMPDIR=" + tmpdir};
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "TMPDIR=", 7) != 0) env.emplace_back(*e);
    }
    std::vector<char*> a, v;
    for (std::string& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    for (std::string& s : env) v.push_back(s.data());
    v.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], 1);
      ::dup2(fds[1], 2);
      ::execve(a[0], a.data(), v.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~DemoProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }

  bool started() const { return pid_ > 0 && fd_ >= 0; }
  pid_t pid() const { return pid_; }
  const std::string& output() const { return output_; }

  // Reads output until `done(output)` holds, the output ends, or `limit` passes. True when
  // `done` held.
  template <typename Done>
  bool ReadUntil(Done done, Clock::duration limit) {
    const auto deadline = Clock::now() + limit;
    while (!done(output_)) {
      if (fd_ < 0 || Clock::now() >= deadline) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[4096];
      const ssize_t r = ::read(fd_, buf, sizeof buf);
      if (r <= 0) {
        ::close(fd_);
        fd_ = -1;
      } else {
        output_.append(buf, static_cast<size_t>(r));
      }
    }
    return true;
  }

  // Reads to the end of the output and waits for the exit; the exit code, or -1 when it did not
  // end within `limit` (then it is killed).
  int Wait(Clock::duration limit) {
    ReadUntil([](const std::string&) { return false; }, limit);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() >= deadline) return -1;
      ::usleep(50'000);
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool exited_ = false;
  std::string output_;
};

bool HasLineWith(const std::string& text, const std::vector<std::string>& parts) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    bool all = true;
    for (const std::string& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

// The data directory the demo's banner names ("数据 data: PATH (removed at the end)").
std::string DataDirOf(const std::string& output) {
  const std::string marker = "数据 data: ";
  const size_t at = output.find(marker);
  if (at == std::string::npos) return "";
  const size_t end = output.find_first_of(" \n", at + marker.size());
  return output.substr(at + marker.size(), end - at - marker.size());
}

// Processes whose command line mentions `text` (the demo's nodes run `fulei run --dir DIR/...`).
std::vector<std::string> ProcessesMentioning(const std::string& text) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : cmdline) c = c == '\0' ? ' ' : c;
    if (cmdline.find(text) != std::string::npos) out.push_back(name + ": " + cmdline);
  }
  return out;
}

bool ShowedEverything(const std::string& out) {
  return HasLineWith(out, {"receipt", "(town)"}) && HasLineWith(out, {"receipt", "(city)"}) &&
         HasLineWith(out, {"reached the city by the fallback"}) &&
         HasLineWith(out, {"converged", "after the restart"});
}

TEST(FuleiDemoTest, RunsACityShowsReceiptsAndTheFallbackThenCtrlCCleansUp) {
  fulei::testing::TempDir tmp;
  DemoProcess demo({"demo", "--towns", "1", "--villages-per-town", "1", "--minutes", "1"},
                   tmp.path());
  ASSERT_TRUE(demo.started());
  const bool showed = demo.ReadUntil(ShowedEverything, std::chrono::seconds(120));
  const std::string data = DataDirOf(demo.output());
  ASSERT_TRUE(showed) << demo.output();
  ASSERT_FALSE(data.empty()) << demo.output();
  EXPECT_EQ(data.rfind(tmp.path(), 0), 0u) << data << " is not under TMPDIR " << tmp.path();
  // Every node is a real `fulei run` process on its own data directory.
  EXPECT_EQ(ProcessesMentioning(data).size(), 3u) << demo.output();
  // Shown in order: the town's and the city's receipts of a report filed with the town up.
  EXPECT_TRUE(HasLineWith(demo.output(), {"回执 receipt", "jinjiang/cizao (town)"}))
      << demo.output();
  EXPECT_TRUE(HasLineWith(demo.output(), {"回执 receipt", "jinjiang (city)"})) << demo.output();
  EXPECT_TRUE(HasLineWith(demo.output(), {"synthetic data"})) << demo.output();

  ASSERT_EQ(::kill(demo.pid(), SIGINT), 0);
  EXPECT_EQ(demo.Wait(std::chrono::seconds(60)), 0) << demo.output();
  EXPECT_TRUE(HasLineWith(demo.output(), {"3 of 3 exited cleanly"})) << demo.output();
  EXPECT_FALSE(fs::exists(data)) << demo.output();
  EXPECT_TRUE(fs::is_empty(tmp.path())) << demo.output();
  EXPECT_TRUE(ProcessesMentioning(data).empty());
}

// A step that fails stops the demo with a non-zero exit and its reason: here --keep names a
// directory that already holds something, which the demo must neither use nor touch.
TEST(FuleiDemoTest, RefusesAKeepDirectoryThatIsNotEmpty) {
  fulei::testing::TempDir tmp;
  const std::string keep = tmp.sub("kept");
  fs::create_directory(keep);
  std::ofstream(keep + "/notes.txt") << "mine\n";
  DemoProcess demo(
      {"demo", "--towns", "1", "--villages-per-town", "1", "--minutes", "1", "--keep", keep},
      tmp.path());
  ASSERT_TRUE(demo.started());
  EXPECT_EQ(demo.Wait(std::chrono::seconds(60)), 1) << demo.output();
  EXPECT_TRUE(HasLineWith(demo.output(), {"--keep", "must be empty"})) << demo.output();
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(keep)) left.push_back(e.path().filename());
  EXPECT_EQ(left, std::vector<std::string>{"notes.txt"});
}

}  // namespace
