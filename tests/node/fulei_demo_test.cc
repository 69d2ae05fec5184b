// `fulei demo` as a person runs it (issue 16): the real binary, which starts a city of one town
// and one village as real `fulei run` processes on loopback, enrolled by `fulei invite` and
// `fulei join`, fills the village, files urgent reports and stops the town once to show the
// fallback. The test reads the demo's output (not a terminal: one line per event), waits until
// it has shown a report's receipts from the town and from the city, the fallback report
// reaching the city while the town was down and the restarted town converging; then it checks
// every node's admin web at the address the demo printed (GET /healthz over TLS, the
// certificate's fingerprint as printed, a login with the printed demo account and password),
// presses Ctrl-C (SIGINT) and checks that the demo exits 0, that no process of it is left and
// that its temporary directory is gone. The binary's path comes from CMake (FULEI_BINARY).
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
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

// OpenSSL's libssl, loaded at run time: this test links no TLS library of its own, and the
// fulei binary under test links libssl.so.3, so it is on every machine that runs the demo. Only
// what one HTTPS request needs; the node's self-signed certificate is not verified (its
// fingerprint is compared instead).
class Tls {
 public:
  Tls() {
    for (const char* name : {"libssl.so.3", "libssl.so"}) {
      lib_ = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (lib_ != nullptr) break;
    }
    if (lib_ == nullptr) return;
    ok_ = Load(client_method_, "TLS_client_method") && Load(ctx_new_, "SSL_CTX_new") &&
          Load(ctx_free_, "SSL_CTX_free") && Load(new_, "SSL_new") && Load(free_, "SSL_free") &&
          Load(set_fd_, "SSL_set_fd") && Load(connect_, "SSL_connect") &&
          Load(write_, "SSL_write") && Load(read_, "SSL_read") && Load(shutdown_, "SSL_shutdown") &&
          Load(peer_, "SSL_get1_peer_certificate") && Load(x509_free_, "X509_free") &&
          Load(digest_, "X509_digest") && Load(sha256_, "EVP_sha256");
  }
  ~Tls() {
    if (lib_ != nullptr) ::dlclose(lib_);
  }
  bool loaded() const { return ok_; }

  struct Answer {
    bool connected = false;   // TCP and the TLS handshake
    std::string fingerprint;  // SHA-256 of the node's certificate, XX:XX:...
    std::string text;         // the whole HTTP answer
  };

  // `request` over one TLS connection to 127.0.0.1:`port`; the answer read until the node
  // closes the connection (Connection: close) or 5 s pass.
  Answer Exchange(uint16_t port, const std::string& request) const {
    Answer out;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return out;
    const timeval limit{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    void* ctx = nullptr;
    void* ssl = nullptr;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        (ctx = ctx_new_(client_method_())) != nullptr && (ssl = new_(ctx)) != nullptr &&
        set_fd_(ssl, fd) == 1 && connect_(ssl) == 1) {
      out.connected = true;
      if (void* cert = peer_(ssl); cert != nullptr) {
        unsigned char md[64];
        unsigned int size = 0;
        if (digest_(cert, sha256_(), md, &size) == 1) {
          static const char kHex[] = "0123456789ABCDEF";
          for (unsigned int i = 0; i < size; ++i) {
            if (i != 0) out.fingerprint += ':';
            out.fingerprint += kHex[md[i] >> 4];
            out.fingerprint += kHex[md[i] & 15];
          }
        }
        x509_free_(cert);
      }
      if (write_(ssl, request.data(), static_cast<int>(request.size())) > 0) {
        char buf[4096];
        int r = 0;
        while ((r = read_(ssl, buf, sizeof buf)) > 0) out.text.append(buf, static_cast<size_t>(r));
      }
      shutdown_(ssl);
    }
    if (ssl != nullptr) free_(ssl);
    if (ctx != nullptr) ctx_free_(ctx);
    ::close(fd);
    return out;
  }

 private:
  template <typename F>
  bool Load(F*& f, const char* name) {
    f = reinterpret_cast<F*>(::dlsym(lib_, name));
    return f != nullptr;
  }

  void* lib_ = nullptr;
  bool ok_ = false;
  const void* (*client_method_)() = nullptr;
  void* (*ctx_new_)(const void*) = nullptr;
  void (*ctx_free_)(void*) = nullptr;
  void* (*new_)(void*) = nullptr;
  void (*free_)(void*) = nullptr;
  int (*set_fd_)(void*, int) = nullptr;
  int (*connect_)(void*) = nullptr;
  int (*write_)(void*, const void*, int) = nullptr;
  int (*read_)(void*, void*, int) = nullptr;
  int (*shutdown_)(void*) = nullptr;
  void* (*peer_)(const void*) = nullptr;
  void (*x509_free_)(void*) = nullptr;
  int (*digest_)(const void*, const void*, unsigned char*, unsigned int*) = nullptr;
  const void* (*sha256_)() = nullptr;
};

std::string HttpRequest(const std::string& method, const std::string& target,
                        const std::string& body = "") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!body.empty()) {
    r +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return r + "\r\n" + body;
}

// A node's admin web as the demo lists it before its table: "  NAME UNIT  https://127.0.0.1:PORT/",
// then "登录 login: LOGIN (role), ..." and "指纹 fingerprint: XX:...".
struct WebNode {
  std::string url, login, fingerprint;
  uint16_t port = 0;
};

std::vector<WebNode> WebNodesOf(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<WebNode> nodes;
  const std::string scheme = "https://127.0.0.1:", login = "登录 login: ",
                    fingerprint = "指纹 fingerprint: ";
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    const size_t l = lines[i].find(login);
    const size_t u = lines[i - 1].find(scheme);
    const size_t f = lines[i + 1].find(fingerprint);
    if (l == std::string::npos || u == std::string::npos || f == std::string::npos) continue;
    WebNode n;
    n.url = lines[i - 1].substr(u, lines[i - 1].find('/', u + scheme.size()) + 1 - u);
    n.port = static_cast<uint16_t>(std::atoi(n.url.c_str() + scheme.size()));
    const std::string logins = lines[i].substr(l + login.size());
    n.login = logins.substr(0, logins.find(' '));
    n.fingerprint = lines[i + 1].substr(f + fingerprint.size());
    nodes.push_back(n);
  }
  return nodes;
}

// The demo password as printed: "演示密码 demo password, 所有账号 every account: PASSWORD  (...".
std::string DemoPasswordOf(const std::string& output) {
  const std::string marker = "every account: ";
  const size_t at = output.find(marker);
  if (at == std::string::npos) return "";
  const size_t from = at + marker.size();
  return output.substr(from, output.find_first_of(" \n", from) - from);
}

// The demo's nodes answer on the web ports it printed: health over TLS with the certificate
// whose fingerprint it printed, and a login with each node's printed account.
void CheckWebs(const std::string& output, size_t nodes) {
  Tls tls;
  ASSERT_TRUE(tls.loaded()) << "libssl.so.3 could not be loaded: " << ::dlerror();
  const std::vector<WebNode> webs = WebNodesOf(output);
  ASSERT_EQ(webs.size(), nodes) << output;
  const std::string password = DemoPasswordOf(output);
  ASSERT_GE(password.size(), 8u) << output;
  EXPECT_TRUE(HasLineWith(output, {"self-signed", "the browser warns"})) << output;
  for (const WebNode& web : webs) {
    SCOPED_TRACE(web.url + " " + web.login);
    ASSERT_NE(web.port, 0);
    const Tls::Answer health = tls.Exchange(web.port, HttpRequest("GET", "/healthz"));
    ASSERT_TRUE(health.connected) << "no TLS connection to " << web.url;
    EXPECT_EQ(health.text.rfind("HTTP/1.1 200", 0), 0u) << health.text;
    EXPECT_EQ(health.fingerprint, web.fingerprint);
    EXPECT_EQ(health.fingerprint.size(), 95u);  // 32 bytes: XX:XX:...
    // The account has reached its node (the demo waits for that before its table); a 401
    // would still be tried again, a little later, below the login throttle's free attempts.
    const std::string body = "{\"login\":\"" + web.login + "\",\"password\":\"" + password + "\"}";
    Tls::Answer login;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2500));
      login = tls.Exchange(web.port, HttpRequest("POST", "/api/v1/session", body));
      if (login.text.rfind("HTTP/1.1 401", 0) != 0) break;
    }
    EXPECT_EQ(login.text.rfind("HTTP/1.1 200", 0), 0u) << login.text;
    EXPECT_NE(login.text.find("\"csrf\""), std::string::npos) << login.text;
    EXPECT_NE(login.text.find("fulei_session="), std::string::npos) << login.text;
    EXPECT_NE(login.text.find("\"login\":\"" + web.login + "\""), std::string::npos) << login.text;
  }
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
  // The admin web of the city, the town and the village.
  CheckWebs(demo.output(), 3);

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
