// ShapedLink: a real slow link for tests and benchmarks run as root. Two network namespaces
// created for the purpose, joined by a veth pair whose both ends are shaped with
// `tc qdisc ... tbf rate <rate>` (these kernels have tbf and htb but no netem; add delay, jitter
// and connection drops with the userspace LinkProxy, tests/net/link_proxy.h). Namespace A holds
// 192.0.2.1, namespace B 192.0.2.2 (TEST-NET-1: never routed anywhere). Both namespaces (and with
// them the veth pair) are deleted by the destructor, pass or fail; names carry the pid and a
// counter, so parallel test binaries never collide; namespaces of a process that died without
// running the destructor (killed by a signal) are swept by the next ShapedLink.
//
// InNamespace switches the calling *thread* into a namespace (setns) and back in its destructor.
// A socket belongs to the namespace of the thread that creates it: create a listener while in A,
// then enter B before a dialer opens its sockets; accepted sockets stay in their listener's
// namespace. ProxyConfig::connect_netns lets a LinkProxy created in A connect inside A while the
// thread is in B.
//
// Threading: ShapedLink runs `ip`/`tc` through std::system; create it before the threads that
// use it. Header-only so that tests/net, tests/integration and bench/ share it without a library.
#ifndef FULEI_TESTS_NET_SHAPED_LINK_H_
#define FULEI_TESTS_NET_SHAPED_LINK_H_

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

namespace fulei::net::testing {

// Runs a shell command with its output discarded; its exit status, or -1.
inline int Shell(const std::string& command) {
  const int rc = std::system((command + " >/dev/null 2>&1").c_str());
  return rc == -1 ? -1 : WEXITSTATUS(rc);
}

// Empty when namespaces can be created here; otherwise why not (for FULEI_SKIP_UNLESS_AVAILABLE,
// tests/support/skip.h).
inline std::string NetnsUnavailableReason() {
  if (geteuid() != 0) return "needs root to create network namespaces (CI runs as root)";
  if (Shell("ip netns list") != 0) return "`ip netns` is unavailable";
  return "";
}

struct ShapedLinkConfig {
  std::string rate = "256kbit";   // tbf rate on both ends
  std::string burst = "16kbit";   // tbf bucket
  std::string latency = "400ms";  // tbf queue limit, as the longest a packet may wait
};

class ShapedLink {
 public:
  explicit ShapedLink(const ShapedLinkConfig& config = {}) {
    SweepStale();
    static int counter = 0;
    const std::string id = std::to_string(getpid()) + "x" + std::to_string(counter++);
    a_ = "fulei-" + id + "-a";
    b_ = "fulei-" + id + "-b";
    const std::string va = "fv" + id + "a", vb = "fv" + id + "b";  // <= 15 characters
    if (Shell("ip netns add " + a_) != 0) {
      error_ = "`ip netns add` failed (no netns support here?)";
      return;
    }
    created_a_ = true;
    if (Shell("ip netns add " + b_) != 0) {
      error_ = "`ip netns add` failed for the second namespace";
      return;
    }
    created_b_ = true;
    const std::string cmds[] = {
        "ip link add " + va + " netns " + a_ + " type veth peer name " + vb + " netns " + b_,
        "ip -n " + a_ + " addr add 192.0.2.1/24 dev " + va,
        "ip -n " + b_ + " addr add 192.0.2.2/24 dev " + vb,
        "ip -n " + a_ + " link set lo up",
        "ip -n " + b_ + " link set lo up",
        "ip -n " + a_ + " link set " + va + " up",
        "ip -n " + b_ + " link set " + vb + " up",
    };
    for (const std::string& c : cmds) {
      if (Shell(c) != 0) {
        error_ = "setting up the veth pair failed: " + c;
        return;
      }
    }
    for (const auto& [ns, dev] : {std::pair(a_, va), std::pair(b_, vb)}) {
      const std::string tc = "ip netns exec " + ns + " tc qdisc add dev " + dev +
                             " root tbf rate " + config.rate + " burst " + config.burst +
                             " latency " + config.latency;
      if (Shell(tc) != 0) {
        error_ = "tc tbf unavailable: " + tc;
        return;
      }
    }
    ok_ = true;
  }
  ~ShapedLink() {
    if (created_a_) Shell("ip netns del " + a_);
    if (created_b_) Shell("ip netns del " + b_);
  }
  ShapedLink(const ShapedLink&) = delete;
  ShapedLink& operator=(const ShapedLink&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& a() const { return a_; }  // holds 192.0.2.1
  const std::string& b() const { return b_; }  // holds 192.0.2.2
  static constexpr const char* kAddressA = "192.0.2.1";
  static constexpr const char* kAddressB = "192.0.2.2";
  // The bind-mounted namespace file, for setns (and ProxyConfig::connect_netns).
  static std::string Path(const std::string& name) { return "/var/run/netns/" + name; }

 private:
  // Deletes namespaces "fulei-<pid>x..." left by a process that no longer exists (one killed by
  // a signal, e.g. a ctest timeout, cannot run the destructor).
  static void SweepStale() {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/var/run/netns", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("fulei-", 0) != 0) continue;
      const size_t x = name.find('x', 6);
      if (x == std::string::npos || x == 6) continue;
      const std::string digits = name.substr(6, x - 6);
      if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
      const long pid = std::strtol(digits.c_str(), nullptr, 10);
      if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        Shell("ip netns del " + name);
      }
    }
  }

  std::string a_, b_, error_;
  bool created_a_ = false, created_b_ = false, ok_ = false;
};

// Switches this thread's network namespace; restores the original in the destructor.
class InNamespace {
 public:
  InNamespace() : original_(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {}
  ~InNamespace() {
    if (original_ >= 0) {
      (void)setns(original_, CLONE_NEWNET);
      close(original_);
    }
  }
  InNamespace(const InNamespace&) = delete;
  InNamespace& operator=(const InNamespace&) = delete;
  bool Enter(const std::string& name) {
    const int fd = open(ShapedLink::Path(name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    return ok;
  }

 private:
  int original_;
};

}  // namespace fulei::net::testing

#endif  // FULEI_TESTS_NET_SHAPED_LINK_H_
