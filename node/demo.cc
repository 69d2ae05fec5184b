// `fulei demo` (node/demo.h): the city as real processes. The demo is a conductor: every node is
// a child process running this same binary (`fulei init`, `invite`, `join`, `run`), exactly the
// commands an operator types, and the demo only talks to the running daemons through their
// control sockets (node/control.h), as `fulei record` and `fulei report` do.
//
// Children run in their own process groups, so a Ctrl-C at the terminal reaches the demo alone,
// which then stops them in order (SIGTERM, a grace period, SIGKILL); PR_SET_PDEATHSIG makes the
// kernel send SIGTERM to a child whose demo died without doing so. Secrets never reach argv: the
// root passphrase and the join tokens go through a stdin pipe (`--token -`).
//
// Every node also serves its admin web (`--web 127.0.0.1:PORT` on init and join: HTTPS with the
// self-signed certificate init/join made, whose fingerprint they print). The demo accounts are
// made with `fulei user add` at the node that keeps them (the city bureau's at the city, the
// towns' and villages' at their town, which sends the villages' down), one demo password for
// all, given on stdin like the other secrets; the demo then checks every node's `GET /healthz`
// over TLS and waits until each node holds the accounts that log in there.
//
// Single-threaded: one loop polls the daemons every two seconds, files the reports and watches
// their receipts; the terminal table is redrawn from what the last poll saw.
#include "node/demo.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/random.h"
#include "node/control.h"
#include "node/data_dir.h"
#include "programme/date.h"

namespace fulei::node {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

volatile std::sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }

// ---- timings of the show ----
constexpr auto kPollEvery = seconds(2);  // statuses and the table
constexpr auto kReceiptPollEvery = milliseconds(500);
constexpr auto kFirstReportAfter = seconds(3);  // after the villages are filled
constexpr auto kReportEvery = seconds(20);
constexpr auto kFallbackAfter = seconds(4);                // after the first report's last receipt
constexpr auto kFallbackReportAfter = milliseconds(1500);  // town stopped -> report filed
constexpr auto kRestartAfter = seconds(4);    // city receipt by the fallback -> restart
constexpr auto kFallbackLimit = seconds(60);  // each phase of the fallback, at most
constexpr auto kReadyLimit = seconds(30);     // a daemon answering its control socket
constexpr auto kStepLimit = seconds(60);      // init, invite, join
constexpr auto kStopGrace = seconds(10);
constexpr int kJoinAttempts = 5;
constexpr auto kJoinRetryAfter = seconds(3);  // SIGTERM -> SIGKILL
constexpr auto kWebLimit = seconds(30);       // every admin web answering, the accounts arrived

// The one password of every demo account: printed for all to see, so for the demo only.
constexpr std::string_view kDemoPassword = "fulei-demo-2026";

// ---- the units ----

struct TownUnit {
  std::string id, name;
  bool pilot = false;
};

// deploy/jinjiang-units.json, for a demo started without --units.
const TownUnit kJinjiang[] = {
    {"jinjiang/qingyang", "青阳街道", false}, {"jinjiang/meiling", "梅岭街道", false},
    {"jinjiang/xiyuan", "西园街道", true},    {"jinjiang/luoshan", "罗山街道", false},
    {"jinjiang/xintang", "新塘街道", false},  {"jinjiang/lingyuan", "灵源街道", false},
    {"jinjiang/anhai", "安海镇", false},      {"jinjiang/cizao", "磁灶镇", true},
    {"jinjiang/chendai", "陈埭镇", false},    {"jinjiang/dongshi", "东石镇", false},
    {"jinjiang/shenhu", "深沪镇", false},     {"jinjiang/jinjing", "金井镇", false},
    {"jinjiang/chidian", "池店镇", true},     {"jinjiang/neikeng", "内坑镇", false},
    {"jinjiang/longhu", "龙湖镇", false},     {"jinjiang/yonghe", "永和镇", false},
    {"jinjiang/yinglin", "英林镇", false},    {"jinjiang/zimao", "紫帽镇", false},
    {"jinjiang/xibin", "西滨镇", false},
};
// The plan names its pilot units in this order.
const char* const kPilotOrder[] = {"jinjiang/cizao", "jinjiang/chidian", "jinjiang/xiyuan"};

struct City {
  std::string id = "jinjiang", name = "晋江市";
  std::vector<TownUnit> towns;  // pilot units first
};

Result<City> LoadCity(const std::string& units_file) {
  City city;
  std::vector<TownUnit> all;
  if (units_file.empty()) {
    all.assign(std::begin(kJinjiang), std::end(kJinjiang));
  } else {
    std::ifstream in(units_file, std::ios::binary);
    if (!in) return NotFound("cannot read " + units_file);
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    json::value doc = json::parse(ss.str(), ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("units") ||
        !doc.at("units").is_array()) {
      return InvalidArgument(units_file + " is not a units file (no \"units\" list)");
    }
    if (const json::value* c = doc.as_object().if_contains("city"); c && c->is_object()) {
      if (const json::value* id = c->as_object().if_contains("id"); id && id->is_string()) {
        city.id = std::string(id->as_string());
      }
      if (const json::value* n = c->as_object().if_contains("name"); n && n->is_string()) {
        city.name = std::string(n->as_string());
      }
    }
    for (const json::value& u : doc.at("units").as_array()) {
      if (!u.is_object() || !u.as_object().contains("id") || !u.at("id").is_string()) {
        return InvalidArgument(units_file + ": a unit without an \"id\"");
      }
      TownUnit t;
      t.id = std::string(u.at("id").as_string());
      const json::value* name = u.as_object().if_contains("name");
      t.name = name && name->is_string() ? std::string(name->as_string()) : t.id;
      const json::value* pilot = u.as_object().if_contains("pilot");
      t.pilot = pilot && pilot->is_bool() && pilot->as_bool();
      all.push_back(std::move(t));
    }
  }
  for (const char* id : kPilotOrder) {
    auto it = std::find_if(all.begin(), all.end(), [&](const TownUnit& t) { return t.id == id; });
    if (it != all.end()) city.towns.push_back(*it);
  }
  for (const TownUnit& t : all) {
    if (t.pilot && std::none_of(city.towns.begin(), city.towns.end(),
                                [&](const TownUnit& x) { return x.id == t.id; })) {
      city.towns.push_back(t);
    }
  }
  for (const TownUnit& t : all) {
    if (std::none_of(city.towns.begin(), city.towns.end(),
                     [&](const TownUnit& x) { return x.id == t.id; })) {
      city.towns.push_back(t);
    }
  }
  if (city.towns.empty()) return InvalidArgument(units_file + " names no units");
  return city;
}

// ---- child processes ----

// Forks and runs `argv` (argv[0] the binary) in a process group of its own, with `in`, `out`
// and `err` as its standard streams. -1 when fork fails.
pid_t Spawn(const std::vector<std::string>& argv, int in, int out, int err) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  // The child: only async-signal-safe calls from here to exec.
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(127);
  ::signal(SIGPIPE, SIG_DFL);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
  ::execv(args[0], args.data());
  ::_exit(127);
}

// The exit code of a wait status (128 + the signal for a process killed by one).
int ExitOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Stops every process of `pids` (-1 entries are skipped): SIGTERM to all, then SIGKILL to those
// still running after `grace`. Returns the exit codes, in order (-1 for a skipped entry).
std::vector<int> StopAll(const std::vector<pid_t>& pids, SteadyClock::duration grace) {
  std::vector<int> codes(pids.size(), -1);
  std::vector<bool> done(pids.size(), true);
  for (size_t k = 0; k < pids.size(); ++k) {
    if (pids[k] <= 0) continue;
    done[k] = false;
    ::kill(pids[k], SIGTERM);
  }
  const auto deadline = SteadyClock::now() + grace;
  bool killed = false;
  for (;;) {
    bool all = true;
    for (size_t k = 0; k < pids.size(); ++k) {
      if (done[k]) continue;
      int status = 0;
      const pid_t r = ::waitpid(pids[k], &status, WNOHANG);
      if (r == pids[k] || (r < 0 && errno == ECHILD)) {
        done[k] = true;
        codes[k] = r == pids[k] ? ExitOf(status) : -1;
      } else {
        all = false;
      }
    }
    if (all) return codes;
    if (!killed && SteadyClock::now() >= deadline) {
      for (size_t k = 0; k < pids.size(); ++k) {
        if (!done[k]) ::kill(pids[k], SIGKILL);
      }
      killed = true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
}

struct StepOutput {
  int code = -1;
  std::string out, err;
  bool interrupted = false;
};

// Runs `self args...` to its end with `input` on its stdin; its stdout and stderr collected.
// A signal to the demo, or `limit`, stops it.
StepOutput RunStep(const std::string& self, const std::vector<std::string>& args,
                   std::string_view input, SteadyClock::duration limit) {
  StepOutput result;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return result;
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return result;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return result;
  }
  std::vector<std::string> argv{self};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = Spawn(argv, in[0], out[1], err[1]);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) {
    for (int fd : {in[1], out[0], err[0]}) ::close(fd);
    result.err = std::string("fork: ") + std::strerror(errno);
    return result;
  }
  // The input is a line or two: far below a pipe's buffer, so this never blocks.
  size_t sent = 0;
  while (sent < input.size()) {
    const ssize_t w = ::write(in[1], input.data() + sent, input.size() - sent);
    if (w <= 0) break;
    sent += static_cast<size_t>(w);
  }
  ::close(in[1]);
  const auto deadline = SteadyClock::now() + limit;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open = 2;
  bool stopped = false;
  while (open > 0) {
    if (!stopped && (g_signal != 0 || SteadyClock::now() >= deadline)) {
      result.interrupted = g_signal != 0;
      if (!result.interrupted) result.err += "\n(timed out)";
      ::kill(pid, SIGTERM);
      stopped = true;
    }
    if (::poll(fds, 2, 100) < 0 && errno != EINTR) break;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[4096];
      const ssize_t r = ::read(fds[k].fd, buf, sizeof buf);
      if (r > 0) {
        sinks[k]->append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        ::close(fds[k].fd);
        fds[k].fd = -1;
        --open;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  result.code = StopAll({pid}, seconds(5)).front();
  return result;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The admin web certificate's fingerprint in what `fulei init` or `fulei join` printed; "" when
// it printed none.
std::string FingerprintIn(const std::string& out) {
  const std::string marker = "(SHA-256): ";
  const size_t at = out.find(marker);
  if (at == std::string::npos) return "";
  const size_t from = at + marker.size();
  const size_t end = out.find('\n', from);
  return Trim(out.substr(from, end == std::string::npos ? std::string::npos : end - from));
}

// The last `lines` lines of a file.
std::string Tail(const fs::path& path, int lines) {
  std::ifstream in(path, std::ios::binary);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const std::string& l : last) out += "    " + l + "\n";
  return out;
}

// `count` free TCP ports on 127.0.0.1: each bound with port 0 and all held until the last is
// picked, so the kernel hands out distinct ones.
Result<std::vector<uint16_t>> FreePorts(size_t count) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  Status failed = Status();
  for (size_t k = 0; k < count && failed.ok(); ++k) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      failed = IoError(std::string("socket: ") + std::strerror(errno));
      break;
    }
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      failed = IoError(std::string("no free port on 127.0.0.1: ") + std::strerror(errno));
      break;
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  if (!failed.ok()) return failed;
  return ports;
}

// Whether the admin web on 127.0.0.1:`port` answers `GET /healthz` with 200 over TLS (the
// node's self-signed certificate is not verified: the demo made it a moment ago). Waits at most
// about two seconds on each step.
bool WebAnswers(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const timeval limit{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = false;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      (ctx = SSL_CTX_new(TLS_client_method())) != nullptr && (ssl = SSL_new(ctx)) != nullptr &&
      SSL_set_fd(ssl, fd) == 1 && SSL_connect(ssl) == 1) {
    const std::string request =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    std::string answer;
    if (SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0) {
      char buf[1024];
      int r = 0;
      while (answer.size() < 4096 && (r = SSL_read(ssl, buf, sizeof buf)) > 0) {
        answer.append(buf, static_cast<size_t>(r));
      }
    }
    ok = answer.rfind("HTTP/1.1 200", 0) == 0;
    SSL_shutdown(ssl);
  }
  if (ssl != nullptr) SSL_free(ssl);
  if (ctx != nullptr) SSL_CTX_free(ctx);
  ::close(fd);
  return ok;
}

// ---- text on the terminal ----

// Columns a UTF-8 string takes on a terminal: CJK and full-width characters two, others one.
size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0xF0) {
      n = 4;
      cp = c & 0x07u;
    } else if (c >= 0xE0) {
      n = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xC0) {
      n = 2;
      cp = c & 0x1Fu;
    }
    for (size_t k = 1; k < n && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    }
    if (c == 0x1B) {  // an ANSI colour sequence: ESC [ ... m takes no column
      const size_t m = s.find('m', i);
      i = m == std::string_view::npos ? s.size() : m + 1;
      continue;
    }
    width += (cp >= 0x1100 &&
              (cp <= 0x115F || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
               (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
               (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6)))
                 ? 2
                 : 1;
    i += n;
  }
  return width;
}

std::string PadRight(const std::string& s, size_t width) {
  const size_t w = DisplayWidth(s);
  return w >= width ? s + " " : s + std::string(width - w, ' ');
}

// `s` cut to at most `width` columns (whole characters).
std::string Truncate(const std::string& s, size_t width) {
  size_t used = 0;
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
    used += DisplayWidth(std::string_view(s).substr(i, n));
    if (used > width) return s.substr(0, i);
    i += n;
  }
  return s;
}

// The terminal's width in columns; 0 when unknown.
size_t TerminalColumns() {
  winsize w{};
  return ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 ? w.ws_col : 0;
}

std::string PadLeft(const std::string& s, size_t width) {
  const size_t w = DisplayWidth(s);
  return w >= width ? s + " " : std::string(width - w, ' ') + s;
}

std::string Seconds(SteadyClock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s",
                static_cast<double>(std::chrono::duration_cast<milliseconds>(d).count()) / 1000.0);
  return buf;
}

std::string Clock(SteadyClock::duration d) {
  const auto s = std::chrono::duration_cast<seconds>(d).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(s / 60),
                static_cast<long long>(s % 60));
  return buf;
}

uint64_t U64(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64()) return static_cast<uint64_t>(std::max<int64_t>(0, v->as_int64()));
  return 0;
}

bool Bool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return "";
  return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
}

// ---- the generated records (plainly synthetic: every name ends in （演示）) ----

const char* const kSurnames[] = {"陈", "林", "黄", "吴", "蔡", "许", "施", "洪",
                                 "王", "李", "张", "郑", "庄", "苏", "曾", "丁"};
const char* const kChildNames[] = {"思涵", "子轩", "雨桐", "浩然", "欣怡", "梓涵", "俊杰", "佳怡",
                                   "宇航", "诗琪", "一诺", "晨曦", "家豪", "婉清", "明轩", "雅琳"};
const char* const kAdultNames[] = {"建国", "秀英", "丽华", "志强", "美玲", "文斌",
                                   "淑珍", "国平", "玉兰", "德明", "春梅", "永福"};
const char* const kSynthetic = "（演示）";

class Dice {
 public:
  explicit Dice(uint64_t seed) : engine_(seed) {}
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(engine_) < p; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[static_cast<size_t>(Uniform(0, static_cast<int>(N) - 1))];
  }

 private:
  std::mt19937_64 engine_;
};

struct Put {
  std::string type, id;
  json::object fields;
};

std::string Id(char prefix, int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%03d", prefix, n);
  return buf;
}

// One village's records: helpers, children with a guardian each, pairings of some children
// with a helper, contacts under the pairings and an activity of the children's home.
// `today` is a day behind the UTC date, so that no date is after any node's today.
std::vector<Put> VillageRecords(Dice& dice, const programme::Date& today, int* children_out) {
  std::vector<Put> puts;
  auto day = [&](int days_ago) { return programme::AddDays(today, -days_ago).ToString(); };
  const int helpers = 3;
  const char* const kinds[] = {"teacher", "volunteer", "cadre", "social_worker"};
  for (int h = 1; h <= helpers; ++h) {
    const std::string kind = dice.Pick(kinds);
    puts.push_back({"helper", Id('h', h),
                    json::object{{"name", std::string(dice.Pick(kSurnames)) +
                                              dice.Pick(kAdultNames) + kSynthetic},
                                 {"kind", kind},
                                 {"gender", dice.Chance(0.5) ? "male" : "female"},
                                 {"loving_parent", kind == "volunteer" ? "true" : "false"},
                                 {"work_unit", "演示单位"},
                                 {"joined_on", day(dice.Uniform(30, 700))},
                                 {"active", "true"}}});
  }
  const int children = dice.Uniform(8, 14);
  *children_out = children;
  int pairings = 0, contacts = 0;
  json::array participants;
  for (int c = 1; c <= children; ++c) {
    const std::string cid = Id('c', c), gid = Id('g', c);
    const std::string surname = dice.Pick(kSurnames);
    const int age_days = dice.Uniform(2 * 365, 16 * 365);
    const programme::Date birth = programme::AddDays(today, -age_days);
    const int age = programme::AgeOn(birth, today);
    const int roll = dice.Uniform(0, 99);
    const std::string category = roll < 50   ? "left_behind"
                                 : roll < 75 ? "in_difficulty"
                                 : roll < 90 ? "de_facto_unsupported"
                                             : "orphan";
    const std::string relation = category == "left_behind" ? "grandparent"
                                 : category == "orphan"    ? "other_relative"
                                 : dice.Chance(0.5)        ? "mother"
                                                           : "grandparent";
    puts.push_back(
        {"guardian", gid,
         json::object{{"name", surname + dice.Pick(kAdultNames) + kSynthetic},
                      {"relation", relation},
                      {"phone", "1390000" + std::to_string(1000 + dice.Uniform(0, 8999))},
                      {"capacity", dice.Chance(0.8) ? "full" : "limited"},
                      {"children", json::array{json::value(cid)}}}});
    json::object child{{"name", surname + dice.Pick(kChildNames) + kSynthetic},
                       {"gender", dice.Chance(0.5) ? "male" : "female"},
                       {"birth_date", birth.ToString()},
                       {"category", category},
                       {"guardians", json::array{json::value(gid)}},
                       {"consent_by", gid},
                       {"consent_on", day(dice.Uniform(1, 60))},
                       {"school_level", age < 3    ? "preschool"
                                        : age < 6  ? "kindergarten"
                                        : age < 12 ? "primary"
                                        : age < 15 ? "junior_high"
                                                   : "senior_high"},
                       {"programme_status", "active"}};
    if (category == "left_behind") {
      child["father_status"] = "working_away";
      child["mother_status"] = dice.Chance(0.6) ? "working_away" : "present";
    }
    if (category == "in_difficulty") {
      child["difficulty"] = json::array{json::value(dice.Chance(0.5) ? "poverty" : "disability")};
      child["living_support"] = json::array{json::value("basic_living_allowance")};
    }
    puts.push_back({"child", cid, std::move(child)});
    if (participants.size() < 6) participants.emplace_back(cid);
    if (dice.Chance(0.6)) {
      const std::string helper = Id('h', 1 + (c % helpers));
      const int start = dice.Uniform(60, 300);
      puts.push_back({"pairing", Id('p', ++pairings),
                      json::object{{"helper", helper},
                                   {"child", cid},
                                   {"kind", dice.Chance(0.7) ? "family_care" : "assistance"},
                                   {"start_date", day(start)}}});
      const char* const contact_kinds[] = {"talk", "home_visit", "video_call"};
      for (int k = dice.Uniform(1, 2); k > 0; --k) {
        puts.push_back({"contact", Id('k', ++contacts),
                        json::object{{"kind", dice.Pick(contact_kinds)},
                                     {"child", cid},
                                     {"helper", helper},
                                     {"date", day(dice.Uniform(1, 50))},
                                     {"minutes", std::to_string(dice.Uniform(10, 90))}}});
      }
    }
  }
  const int start = dice.Uniform(3, 20);
  puts.push_back(
      {"activity", "a001",
       json::object{{"kind", "weekend_class"},
                    {"title", "儿童之家周末兴趣班" + std::string(kSynthetic)},
                    {"topics", json::array{json::value("safety"), json::value("homework")}},
                    {"start_date", day(start)},
                    {"end_date", day(start - 2)},
                    {"participants", std::move(participants)},
                    {"attendance", std::to_string(dice.Uniform(5, 30))}}});
  return puts;
}

// ---- the demo ----

enum Level { kCity = 0, kTown = 1, kVillage = 2 };

// A demo account: made with `fulei user add`, it logs in at the node of its unit.
struct Account {
  std::string login, role, zh, en;  // role: the code; zh, en: its name
  std::string helper;               // a caring parent's helper record
};

struct DemoNode {
  std::string unit, name, slug;
  Level level = kCity;
  int parent = -1;  // index in nodes_
  fs::path dir, log;
  uint16_t port = 0;              // the city and towns listen here
  uint16_t web = 0;               // the admin web, https://127.0.0.1:web/
  std::string fingerprint;        // of the web's certificate, as init or join printed it
  std::vector<Account> accounts;  // those who log in here
  std::string loving_helper;      // a village's first helper marked 爱心家长, if any
  pid_t pid = -1;
  int children = 0;  // a village's generated children
  // What the last status said.
  bool answered = false;
  uint64_t records = 0, users = 0, peers = 0, backlog = 0;  // records: all but user accounts
  bool up = false, up_full = false, fallback = false, idle = false;
  std::optional<SteadyClock::time_point> last_sync;
  std::optional<bool> was_up;
};

struct Filed {
  int village = 0;
  std::string id;
  SteadyClock::time_point at;
  bool town = false, city = false, fallback = false;
};

enum class Fallback { kWaiting, kStopped, kFiled, kReachedCity, kRestarted, kDone };

class Demo {
 public:
  Demo(const DemoOptions& options, std::string self)
      : options_(options), self_(std::move(self)), dice_(options.seed) {}
  ~Demo() { Shutdown(); }

  int Run();

 private:
  // Setup.
  Status MakeRoot();
  Status Step(const std::vector<std::string>& args, std::string_view input, std::string* out,
              int* code);
  Status Join(int i);                   // invite at the parent, join, run
  bool Sleep(SteadyClock::duration d);  // false when interrupted
  Status StartDaemon(int i);
  Status WaitReady(int i);
  Status Enrol();
  Status Fill();
  Status MakeAccounts();  // fulei user add, at the node that keeps each account
  Status WaitWeb();       // every admin web answering, every account where it logs in
  // The show.
  Status Tick();
  void PollStatuses();
  Status PollReceipts();
  Status FileReport(int village, bool fallback);
  Status StepFallback();
  Status CheckChildren();
  bool Converged(int town) const;
  // Output.
  void Event(const std::string& text);
  void Draw();
  std::string TableText(bool ansi) const;
  std::string WebText(bool full) const;  // the addresses and logins; full: with fingerprints
  void Banner();
  // Stop: every child stopped, the data removed unless kept. Idempotent.
  void Shutdown();

  const DemoNode& city() const { return nodes_.front(); }
  std::string Label(int i) const { return nodes_[static_cast<size_t>(i)].name; }
  std::vector<int> VillagesOf(int town) const {
    std::vector<int> out;
    for (size_t k = 0; k < nodes_.size(); ++k) {
      if (nodes_[k].parent == town && nodes_[k].level == kVillage)
        out.push_back(static_cast<int>(k));
    }
    return out;
  }
  int InFlight(int i) const;

  DemoOptions options_;
  std::string self_;
  Dice dice_;
  City units_;
  fs::path root_;
  bool made_root_ = false, keep_ = false, tty_ = false, live_ = false, shut_ = false;
  std::string passphrase_;
  std::vector<DemoNode> nodes_;
  std::vector<Filed> filed_;
  std::deque<std::string> events_;
  SteadyClock::time_point started_ = SteadyClock::now(), end_{};
  SteadyClock::time_point next_poll_{}, next_receipts_{}, next_report_{}, fallback_at_{};
  Fallback fallback_ = Fallback::kWaiting;
  int fallback_town_ = -1;
  size_t fallback_report_ = 0;
  SteadyClock::time_point fallback_phase_{};
};

void Demo::Event(const std::string& text) {
  const std::string line = "[" + Clock(SteadyClock::now() - started_) + "] " + text;
  if (live_) {
    events_.push_back(line);
    while (events_.size() > 12) events_.pop_front();
    return;
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

Status Demo::MakeRoot() {
  if (!options_.keep_dir.empty()) {
    root_ = fs::absolute(options_.keep_dir);
    std::error_code ec;
    if (fs::exists(root_, ec) && !fs::is_empty(root_, ec)) {
      return FailedPrecondition("--keep " + root_.string() +
                                ": 目录非空 / the directory must be empty or absent");
    }
    fs::create_directories(root_, ec);
    if (ec) return IoError("--keep " + root_.string() + ": " + ec.message());
    fs::permissions(root_, fs::perms::owner_all, ec);
    keep_ = true;
  } else {
    const char* tmp = std::getenv("TMPDIR");
    std::string name =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/fulei-demo-XXXXXX";
    if (::mkdtemp(name.data()) == nullptr) {
      return IoError("mkdtemp " + name + ": " + std::strerror(errno));
    }
    root_ = name;
  }
  made_root_ = true;
  std::error_code ec;
  fs::create_directory(root_ / "logs", ec);
  if (ec) return IoError((root_ / "logs").string() + ": " + ec.message());
  return Status();
}

Status Demo::Step(const std::vector<std::string>& args, std::string_view input, std::string* out,
                  int* code) {
  StepOutput r = RunStep(self_, args, input, kStepLimit);
  if (code != nullptr) *code = r.code;
  if (r.interrupted) return Aborted("interrupted");
  if (r.code != 0) {
    std::string line = "fulei";
    for (const std::string& a : args) line += " " + a;
    return Unavailable("命令失败 / step failed (exit " + std::to_string(r.code) + "): " + line +
                       "\n" + Trim(r.err));
  }
  if (out != nullptr) *out = Trim(r.out);
  return Status();
}

bool Demo::Sleep(SteadyClock::duration d) {
  const auto until = SteadyClock::now() + d;
  while (SteadyClock::now() < until) {
    if (g_signal != 0) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return g_signal == 0;
}

Status Demo::Join(int i) {
  DemoNode& n = nodes_[static_cast<size_t>(i)];
  const DemoNode& parent = nodes_[static_cast<size_t>(n.parent)];
  auto address = [](uint16_t port) { return "127.0.0.1:" + std::to_string(port); };
  std::string token;
  // A town is invited by the city with the root key (its passphrase on stdin); a village by
  // its town, which needs none.
  FULEI_RETURN_IF_ERROR(
      Step({"invite", "--dir", parent.dir.string(), "--unit", n.unit, "--expires", "1h"},
           n.level == kTown ? passphrase_ + "\n" : "", &token, nullptr));
  std::vector<std::string> join{"join",        "--dir",      n.dir.string(),       "--token",
                                "-",           "--upstream", address(parent.port), "--web",
                                address(n.web)};
  if (n.level == kTown) {
    join.insert(join.end(), {"--listen", address(n.port)});
  } else {
    join.insert(join.end(), {"--fallback", address(city().port)});
  }
  // Every demo node dials from 127.0.0.1, and a node admits only a few handshakes a second from
  // one address (net/handshake_limiter.h): a join that finds the upstream's allowance spent is
  // dropped during the handshake (exit 13 or 15) before the token is shown, and is tried again
  // as an operator would, with the same token.
  Status joined;
  std::string printed;
  for (int attempt = 1;; ++attempt) {
    int code = 0;
    joined = Step(join, token + "\n", &printed, &code);
    const bool dropped = code == 13 || code == 15;
    if (joined.ok() || !dropped || attempt == kJoinAttempts) break;
    Event("  " + n.name + ": fulei join exit " + std::to_string(code) + " (" + parent.name +
          " dropped the handshake: all demo nodes dial from 127.0.0.1, which it admits a few "
          "times a second); 重试 retrying in " +
          Seconds(kJoinRetryAfter));
    if (!Sleep(kJoinRetryAfter)) return Aborted("interrupted");
  }
  std::fill(token.begin(), token.end(), '\0');
  FULEI_RETURN_IF_ERROR(joined);
  n.fingerprint = FingerprintIn(printed);
  FULEI_RETURN_IF_ERROR(StartDaemon(i));
  Event(std::string(n.level == kTown ? "镇（街道）town " : "  村（社区）village ") + n.name + " (" +
        n.unit + "): fulei invite at " + parent.name + ", fulei join" +
        (n.level == kVillage ? " --fallback " + city().name : std::string()) + ", fulei run — " +
        (n.port ? "port " + std::to_string(n.port) + ", " : "") + "web " + std::to_string(n.web) +
        ", pid " + std::to_string(n.pid));
  return Status();
}

Status Demo::StartDaemon(int i) {
  DemoNode& n = nodes_[static_cast<size_t>(i)];
  const int log = ::open(n.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return IoError(n.log.string() + ": " + std::strerror(errno));
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0) {
    ::close(log);
    return IoError(std::string("/dev/null: ") + std::strerror(errno));
  }
  n.pid = Spawn({self_, "run", "--dir", n.dir.string()}, null, log, log);
  ::close(log);
  ::close(null);
  if (n.pid < 0) return IoError(std::string("fork: ") + std::strerror(errno));
  return WaitReady(i);
}

Status Demo::WaitReady(int i) {
  DemoNode& n = nodes_[static_cast<size_t>(i)];
  const auto deadline = SteadyClock::now() + kReadyLimit;
  const fs::path socket = DataDir(n.dir).control_socket();
  for (;;) {
    if (g_signal != 0) return Aborted("interrupted");
    int status = 0;
    if (::waitpid(n.pid, &status, WNOHANG) == n.pid) {
      n.pid = -1;
      return Unavailable("`fulei run --dir " + n.dir.string() + "` exited " +
                         std::to_string(ExitOf(status)) + ":\n" + Tail(n.log, 12));
    }
    auto answer = CallDaemon(socket, json::object{{"op", "status"}}, seconds(2));
    if (answer.ok() && Bool(*answer, "ok")) return Status();
    if (SteadyClock::now() >= deadline) {
      return Unavailable("`fulei run --dir " + n.dir.string() + "` did not answer within " +
                         Seconds(kReadyLimit) + ":\n" + Tail(n.log, 12));
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
}

void Demo::Banner() {
  const int towns =
      static_cast<int>(nodes_.size()) - 1 -
      static_cast<int>(std::count_if(nodes_.begin(), nodes_.end(),
                                     [](const DemoNode& n) { return n.level == kVillage; }));
  std::printf(
      "福蕾 fulei 演示 demo — %s %s: 1 个市级节点 city, %d 个镇（街道）towns, %d 个村（社区）"
      "villages as real `fulei run` processes on 127.0.0.1\n"
      "合成数据 synthetic data: every name and record is generated and marked （演示）; no real "
      "child is in it.\n"
      "管理网页 admin web: every node serves one on 127.0.0.1 (HTTPS, self-signed); addresses "
      "and demo logins are shown once the nodes run.\n"
      "数据 data: %s%s\n"
      "每个节点的日志 each node's log: %s/logs/\n\n",
      units_.name.c_str(), units_.id.c_str(), towns, static_cast<int>(nodes_.size()) - 1 - towns,
      root_.string().c_str(), keep_ ? " (kept: --keep)" : " (removed at the end)",
      root_.string().c_str());
  std::fflush(stdout);
}

Status Demo::Enrol() {
  // The nodes: the city, then each town followed by its villages.
  const int towns = std::min<int>(options_.towns, static_cast<int>(units_.towns.size()));
  DemoNode c;
  c.unit = units_.id;
  c.name = units_.name;
  c.level = kCity;
  nodes_.push_back(c);
  for (int t = 0; t < towns; ++t) {
    const TownUnit& u = units_.towns[static_cast<size_t>(t)];
    DemoNode town;
    town.unit = u.id;
    town.name = u.name;
    town.level = kTown;
    town.parent = 0;
    nodes_.push_back(town);
    const int town_index = static_cast<int>(nodes_.size()) - 1;
    for (int v = 1; v <= options_.villages_per_town; ++v) {
      char code[16];
      std::snprintf(code, sizeof code, "v%02d", v);
      DemoNode village;
      village.unit = u.id + "/" + code;
      village.name = u.name + "演示村" + std::string(code + 1);
      village.level = kVillage;
      village.parent = town_index;
      nodes_.push_back(village);
    }
  }
  // The sync listeners of the city and the towns, then every node's admin web.
  size_t listeners = 0;
  for (const DemoNode& n : nodes_) listeners += n.level == kVillage ? 0 : 1;
  const size_t wanted = listeners + nodes_.size();
  std::vector<uint16_t> ports;
  if (options_.base_port != 0) {
    for (size_t k = 0; k < wanted; ++k)
      ports.push_back(static_cast<uint16_t>(options_.base_port + k));
  } else {
    FULEI_ASSIGN_OR_RETURN(ports, FreePorts(wanted));
  }
  size_t next = 0;
  for (DemoNode& n : nodes_) {
    n.slug = n.unit;
    std::replace(n.slug.begin(), n.slug.end(), '/', '-');
    n.dir = root_ / n.slug;
    n.log = root_ / "logs" / (n.slug + ".log");
    if (n.level != kVillage) n.port = ports[next++];
  }
  for (DemoNode& n : nodes_) n.web = ports[next++];
  Banner();
  auto address = [](uint16_t port) { return "127.0.0.1:" + std::to_string(port); };

  // The city: a random passphrase for the root key, through stdin.
  crypto::SystemRandom random;
  uint8_t bytes[12];
  random.Fill(bytes, sizeof bytes);
  passphrase_ = ToHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  std::string printed;
  FULEI_RETURN_IF_ERROR(Step({"init", "--dir", city().dir.string(), "--unit", city().unit,
                              "--listen", address(city().port), "--web", address(city().web)},
                             passphrase_ + "\n", &printed, nullptr));
  nodes_.front().fingerprint = FingerprintIn(printed);
  FULEI_RETURN_IF_ERROR(StartDaemon(0));
  Event("市级节点 city " + city().name + " (" + city().unit + "): fulei init, fulei run — port " +
        std::to_string(city().port) + ", web " + std::to_string(city().web) + ", pid " +
        std::to_string(city().pid));

  // The towns first (each dials the city twice: to join, then to run), then the villages.
  for (size_t i = 1; i < nodes_.size(); ++i) {
    if (nodes_[i].level == kTown) FULEI_RETURN_IF_ERROR(Join(static_cast<int>(i)));
  }
  for (size_t i = 1; i < nodes_.size(); ++i) {
    if (nodes_[i].level == kVillage) FULEI_RETURN_IF_ERROR(Join(static_cast<int>(i)));
  }
  return Status();
}

Status Demo::Fill() {
  const programme::Date today = programme::AddDays(
      programme::CivilFromDays(std::chrono::duration_cast<std::chrono::days>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count()),
      -1);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    DemoNode& n = nodes_[i];
    if (n.level != kVillage) continue;
    std::vector<Put> puts = VillageRecords(dice_, today, &n.children);
    for (const Put& p : puts) {
      if (p.type == "helper" && n.loving_helper.empty() &&
          Text(p.fields, "loving_parent") == "true") {
        n.loving_helper = p.id;
      }
    }
    const fs::path socket = DataDir(n.dir).control_socket();
    std::map<std::string, int> counts;
    for (Put& p : puts) {
      if (g_signal != 0) return Aborted("interrupted");
      json::object request{
          {"op", "record.put"}, {"type", p.type}, {"id", p.id}, {"fields", std::move(p.fields)}};
      auto answer = CallDaemon(socket, request, seconds(20));
      if (!answer.ok()) return Unavailable(n.unit + " record.put: " + answer.status().ToString());
      if (!Bool(*answer, "ok")) {
        return Unavailable(n.unit + " record.put " + p.type + " " + p.id + ": " +
                           Text(*answer, "error"));
      }
      ++counts[p.type];
    }
    Event("  " + n.name + " 录入 wrote " + std::to_string(puts.size()) +
          " records: " + std::to_string(counts["child"]) + " children 儿童, " +
          std::to_string(counts["guardian"]) + " guardians 监护人, " +
          std::to_string(counts["helper"]) + " helpers 帮扶人, " +
          std::to_string(counts["pairing"]) + " pairings 结对, " +
          std::to_string(counts["contact"]) + " contacts 联系记录, " +
          std::to_string(counts["activity"]) + " activity 活动");
  }
  return Status();
}

// The last segment of a unit path: `cizao` of `jinjiang/cizao`.
std::string LastSegment(const std::string& unit) {
  const size_t slash = unit.rfind('/');
  return slash == std::string::npos ? unit : unit.substr(slash + 1);
}

Status Demo::MakeAccounts() {
  // Who logs in where: the city bureau at the city, a supervisor and the town office at each
  // town, a director at each village, and one caring parent (a helper marked 爱心家长).
  auto login = [](const std::string& text) { return text.substr(0, 32); };
  bool caring_parent = false;
  for (DemoNode& n : nodes_) {
    n.accounts.clear();
    if (n.level == kCity) {
      n.accounts.push_back({"city", "city_bureau", "民政局", "city bureau", ""});
    } else if (n.level == kTown) {
      const std::string t = LastSegment(n.unit);
      n.accounts.push_back({login("sup-" + t), "supervisor", "儿童督导员", "supervisor", ""});
      n.accounts.push_back({login("office-" + t), "town_office", "社会事务办", "town office", ""});
    } else {
      const std::string v =
          LastSegment(nodes_[static_cast<size_t>(n.parent)].unit) + "-" + LastSegment(n.unit);
      n.accounts.push_back({login("dir-" + v), "director", "儿童主任", "director", ""});
      if (!caring_parent && !n.loving_helper.empty()) {
        n.accounts.push_back(
            {login("parent-" + v), "caring_parent", "爱心家长", "caring parent", n.loving_helper});
        caring_parent = true;
      }
    }
  }
  // Each at the node that keeps it (the town office keeps its villages' accounts; the town sends
  // them down), the password on stdin.
  const std::string input = std::string(kDemoPassword) + "\n";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const DemoNode& n = nodes_[i];
    const DemoNode& keeper = n.level == kVillage ? nodes_[static_cast<size_t>(n.parent)] : n;
    std::string made;
    for (const Account& a : n.accounts) {
      if (g_signal != 0) return Aborted("interrupted");
      std::vector<std::string> args{"user",    "add",   "--dir",  keeper.dir.string(),
                                    "--login", a.login, "--role", a.role,
                                    "--unit",  n.unit,  "--name", n.name + a.zh + kSynthetic};
      if (!a.helper.empty()) args.insert(args.end(), {"--helper", a.helper});
      FULEI_RETURN_IF_ERROR(Step(args, input, nullptr, nullptr));
      made += (made.empty() ? "" : ", ") + a.login + " (" + a.zh + " " + a.en +
              (a.helper.empty() ? "" : ", helper " + a.helper) + ")";
    }
    Event("  账号 accounts of " + n.name + ": " + made + " — fulei user add at " + keeper.name);
  }
  return Status();
}

Status Demo::WaitWeb() {
  // The accounts each node holds once synced: those of its unit, of the units above it (sent
  // down) and of the units below it (sent up).
  auto above = [&](size_t a, size_t b) {  // a is b or above it
    for (int k = static_cast<int>(b); k >= 0; k = nodes_[static_cast<size_t>(k)].parent) {
      if (static_cast<size_t>(k) == a) return true;
    }
    return false;
  };
  std::vector<uint64_t> expected(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (size_t j = 0; j < nodes_.size(); ++j) {
      if (above(i, j) || above(j, i)) expected[i] += nodes_[j].accounts.size();
    }
  }
  const auto deadline = SteadyClock::now() + kWebLimit;
  std::vector<bool> web(nodes_.size(), false);
  for (;;) {
    if (g_signal != 0) return Aborted("interrupted");
    PollStatuses();
    size_t answering = 0, holding = 0;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const DemoNode& n = nodes_[i];
      if (!web[i]) web[i] = WebAnswers(n.web);
      answering += web[i] ? 1 : 0;
      holding += n.answered && n.users >= expected[i] ? 1 : 0;
    }
    if (answering == nodes_.size() && holding == nodes_.size()) {
      Event("管理网页 admin web: 全部 all " + std::to_string(nodes_.size()) +
            " nodes answer GET /healthz over HTTPS; 账号已到位 every account is at the node "
            "where it logs in");
      return Status();
    }
    if (SteadyClock::now() >= deadline) {
      for (size_t i = 0; i < nodes_.size(); ++i) {
        if (web[i]) continue;
        const DemoNode& n = nodes_[i];
        return Unavailable(n.name + " (" + n.unit +
                           ") 的管理网页未应答 / its admin web https://127.0.0.1:" +
                           std::to_string(n.web) + "/ did not answer GET /healthz within " +
                           Seconds(kWebLimit) + "; its log:\n" + Tail(n.log, 12));
      }
      Event(
          "注意 note: 部分账号尚未同步到位 some accounts have not reached the node where they log "
          "in yet (" +
          std::to_string(holding) + " of " + std::to_string(nodes_.size()) +
          " nodes hold theirs); they arrive with the next sync");
      return Status();
    }
    if (!Sleep(milliseconds(500))) return Aborted("interrupted");
  }
}

std::string Demo::WebText(bool full) const {
  auto url = [](uint16_t port) { return "https://127.0.0.1:" + std::to_string(port) + "/"; };
  auto logins = [](const DemoNode& n, bool roles) {
    std::string out;
    for (const Account& a : n.accounts) {
      out += (out.empty() ? "" : roles ? ", " : " ") + a.login;
      if (roles) out += " (" + a.zh + " " + a.en + ")";
    }
    return out;
  };
  const std::string password(kDemoPassword);
  std::string out;
  if (full) {
    out += "管理网页 admin web — 每个节点一个 one per node, HTTPS on 127.0.0.1\n";
    out += "  演示密码 demo password, 所有账号 every account: " + password +
           "  (仅供演示 demo only — 公开打印，切勿用于真实数据 printed for all to see, never for "
           "real data)\n";
    out +=
        "  证书 certificates: 自签名，浏览器会警告；请核对 fulei init/join 打印的指纹后继续 "
        "self-signed, so the browser warns: compare the SHA-256 fingerprint that fulei "
        "init/join printed (below) and proceed\n";
    for (const DemoNode& n : nodes_) {
      const std::string indent(static_cast<size_t>(n.level) * 2 + 2, ' ');
      out += indent + PadRight(n.name + " " + n.unit, 30) + " " + url(n.web) + "\n";
      out += indent + "    登录 login: " + logins(n, true) + "\n";
      out += indent +
             "    指纹 fingerprint: " + (n.fingerprint.empty() ? std::string("—") : n.fingerprint) +
             "\n";
    }
    return out;
  }
  out += "管理网页 admin web — 演示密码 demo-only password: " + password +
         " — 自签名证书，浏览器会警告 self-signed: the browser warns (指纹见开头 fingerprints at "
         "the start)\n";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const DemoNode& n = nodes_[i];
    if (n.level == kVillage) continue;
    out += "  " + n.name + " " + url(n.web) + " " + logins(n, false) + "\n";
    std::string villages;
    for (int v : VillagesOf(static_cast<int>(i))) {
      const DemoNode& village = nodes_[static_cast<size_t>(v)];
      villages += (villages.empty() ? "    " : " · ") + LastSegment(village.unit) + " " +
                  url(village.web) + " " + logins(village, false);
    }
    if (!villages.empty()) out += villages + "\n";
  }
  return out;
}

void Demo::PollStatuses() {
  const auto now = SteadyClock::now();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    DemoNode& n = nodes_[i];
    if (n.pid < 0) {
      n.answered = false;
      n.up = false;
      n.peers = 0;
      continue;
    }
    auto answer =
        CallDaemon(DataDir(n.dir).control_socket(), json::object{{"op", "status"}}, seconds(5));
    n.answered = answer.ok() && Bool(*answer, "ok");
    if (!n.answered) continue;
    const json::object& s = *answer;
    n.records = n.users = 0;
    if (const json::value* r = s.if_contains("records"); r && r->is_object()) {
      for (const auto& kv : r->as_object()) {
        (kv.key() == "user" ? n.users : n.records) += U64(r->as_object(), kv.key());
      }
    }
    n.peers = U64(s, "connected_peers");
    n.idle = Bool(s, "sync_idle");
    n.backlog = 0;
    n.up = n.up_full = n.fallback = false;
    if (const json::value* ups = s.if_contains("upstreams"); ups && ups->is_array()) {
      const json::array& a = ups->as_array();
      for (size_t k = 0; k < a.size(); ++k) {
        if (!a[k].is_object()) continue;
        const json::object& u = a[k].as_object();
        n.backlog += U64(u, "urgent_backlog");
        if (k == 0) {
          n.up = Bool(u, "connected");
          n.up_full = Bool(u, "full_sync");
        } else {
          n.fallback = n.fallback || Bool(u, "connected");
        }
      }
    }
    const bool synced = n.level == kCity ? n.idle : (n.up && n.up_full && n.idle);
    if (synced) n.last_sync = now;
    if (n.level != kCity) {
      if (n.was_up.has_value() && *n.was_up != n.up) {
        const DemoNode& parent = nodes_[static_cast<size_t>(n.parent)];
        if (n.up) {
          Event(n.name + " 已连上 connected to " + parent.name);
        } else {
          Event(n.name + " 与 " + parent.name + " 断开 lost its link to " + parent.name +
                (n.level == kVillage
                     ? (n.fallback ? "; 紧急报告经回退送市级 urgent reports go to the city by the "
                                     "fallback"
                                   : "; 回退未连接 fallback not connected")
                     : std::string()));
        }
      }
      n.was_up = n.up;
    }
  }
}

int Demo::InFlight(int i) const {
  int count = 0;
  for (const Filed& f : filed_) {
    if (f.town && f.city) continue;
    int v = f.village;
    bool below = v == i;
    while (!below && v >= 0) {
      v = nodes_[static_cast<size_t>(v)].parent;
      below = v == i;
    }
    if (below) ++count;
  }
  return count;
}

Status Demo::FileReport(int village, bool fallback) {
  DemoNode& n = nodes_[static_cast<size_t>(village)];
  const char* const harms[] = {"neglect", "bullying", "accidental_injury", "violence",
                               "self_harm_risk"};
  const std::string child = Id('c', dice_.Uniform(1, std::max(1, n.children)));
  json::object fields{
      {"harm", dice_.Pick(harms)},
      {"child", child},
      {"reporter_role", "director"},
      {"reporter_name", "演示儿童主任" + std::string(kSynthetic)},
      {"reporter_phone", "13900000000"},
      {"description", "演示报告（合成数据，非真实案件）/ demo report: synthetic, not a real case"},
      {"police_informed", "no"}};
  auto answer = CallDaemon(
      DataDir(n.dir).control_socket(),
      json::object{{"op", "report.file"}, {"type", "report"}, {"fields", fields}}, seconds(20));
  if (!answer.ok()) return Unavailable(n.unit + " report.file: " + answer.status().ToString());
  if (!Bool(*answer, "ok")) return Unavailable(n.unit + " report.file: " + Text(*answer, "error"));
  Filed f;
  f.village = village;
  f.id = Text(*answer, "id");
  f.at = SteadyClock::now();
  f.fallback = fallback;
  filed_.push_back(f);
  Event("紧急报告 urgent report " + f.id + " 登记于 filed at " + n.name + " (" + n.unit +
        ", child " + child + ")" +
        (fallback ? " — 镇节点已停 while its town is down" : std::string()));
  return Status();
}

Status Demo::PollReceipts() {
  for (Filed& f : filed_) {
    if (f.town && f.city) continue;
    const DemoNode& v = nodes_[static_cast<size_t>(f.village)];
    const DemoNode& town = nodes_[static_cast<size_t>(v.parent)];
    auto answer = CallDaemon(DataDir(v.dir).control_socket(),
                             json::object{{"op", "report.show"}, {"id", f.id}}, seconds(5));
    if (!answer.ok() || !Bool(*answer, "ok")) continue;  // the next poll tries again
    const json::value* receipts = answer->if_contains("receipts");
    if (receipts == nullptr || !receipts->is_array()) continue;
    for (const json::value& r : receipts->as_array()) {
      if (!r.is_object()) continue;
      const std::string unit = Text(r.as_object(), "unit");
      const std::string after = Seconds(SteadyClock::now() - f.at);
      if (unit == town.unit && !f.town) {
        f.town = true;
        Event("  回执 receipt " + f.id + " from " + town.name + " " + town.unit +
              " (town), 镇已收到 " + after + " after filing");
      } else if (unit == city().unit && !f.city) {
        f.city = true;
        Event("  回执 receipt " + f.id + " from " + city().name + " " + city().unit +
              " (city), 市已收到 " + after + " after filing" +
              (f.fallback && !f.town ? " — 经回退 by the fallback, the town being down"
                                     : std::string()));
      }
    }
  }
  return Status();
}

bool Demo::Converged(int town) const {
  const DemoNode& t = nodes_[static_cast<size_t>(town)];
  if (!t.answered || !t.up) return false;
  uint64_t sum = 0;
  for (int v : VillagesOf(town)) {
    const DemoNode& n = nodes_[static_cast<size_t>(v)];
    if (!n.answered || !n.up || !n.up_full || n.backlog != 0 || !n.idle) return false;
    sum += n.records;
  }
  return t.records == sum && t.backlog == 0;
}

Status Demo::StepFallback() {
  const auto now = SteadyClock::now();
  switch (fallback_) {
    case Fallback::kWaiting: {
      if (filed_.empty() || !filed_.front().town || !filed_.front().city) return Status();
      if (fallback_at_ == SteadyClock::time_point{}) fallback_at_ = now + kFallbackAfter;
      if (now < fallback_at_) return Status();
      fallback_town_ = nodes_[static_cast<size_t>(filed_.front().village)].parent;
      DemoNode& t = nodes_[static_cast<size_t>(fallback_town_)];
      Event("演示回退 fallback: 停止 stopping " + t.name + " (" + t.unit + ", pid " +
            std::to_string(t.pid) + ") with SIGTERM");
      const int code = StopAll({t.pid}, kStopGrace).front();
      t.pid = -1;
      Event("  " + t.name + " 已停 stopped (exit " + std::to_string(code) + ")");
      fallback_ = Fallback::kStopped;
      fallback_phase_ = now;
      return Status();
    }
    case Fallback::kStopped: {
      if (now < fallback_phase_ + kFallbackReportAfter) return Status();
      const std::vector<int> villages = VillagesOf(fallback_town_);
      const int v =
          villages[static_cast<size_t>(dice_.Uniform(0, static_cast<int>(villages.size()) - 1))];
      FULEI_RETURN_IF_ERROR(FileReport(v, /*fallback=*/true));
      fallback_report_ = filed_.size() - 1;
      fallback_ = Fallback::kFiled;
      fallback_phase_ = now;
      return Status();
    }
    case Fallback::kFiled: {
      const Filed& f = filed_[fallback_report_];
      if (f.city) {
        Event("  " + f.id +
              " 经回退到达市级 reached the city by the fallback; 镇回执 town "
              "receipt: " +
              (f.town ? "yes (the town got it from the city)" : "尚无 none yet"));
        fallback_ = Fallback::kReachedCity;
        fallback_phase_ = now;
      } else if (now > fallback_phase_ + kFallbackLimit) {
        return Unavailable(
            "回退失败 / the report filed while the town was down did not reach the "
            "city within " +
            Seconds(kFallbackLimit));
      }
      return Status();
    }
    case Fallback::kReachedCity: {
      if (now < fallback_phase_ + kRestartAfter) return Status();
      DemoNode& t = nodes_[static_cast<size_t>(fallback_town_)];
      Event("演示回退 fallback: 重启 restarting " + t.name + " (fulei run --dir " +
            t.dir.filename().string() + ")");
      FULEI_RETURN_IF_ERROR(StartDaemon(fallback_town_));
      t.was_up.reset();
      Event("  " + t.name + " 已重启 running again, pid " + std::to_string(t.pid) +
            "; 等待收敛 waiting for it to converge");
      fallback_ = Fallback::kRestarted;
      fallback_phase_ = now;
      next_poll_ = now;
      return Status();
    }
    case Fallback::kRestarted: {
      const Filed& f = filed_[fallback_report_];
      if (f.town && f.city && Converged(fallback_town_)) {
        const DemoNode& t = nodes_[static_cast<size_t>(fallback_town_)];
        Event("  " + t.name + " 已收敛 converged " + Seconds(now - fallback_phase_) +
              " after the restart: " + std::to_string(VillagesOf(fallback_town_).size()) +
              " villages connected, " + std::to_string(t.records) +
              " records = its villages' records, urgent backlog 0, " + f.id +
              " has receipts from the town and the city");
        fallback_ = Fallback::kDone;
      } else if (now > fallback_phase_ + kFallbackLimit) {
        return Unavailable("收敛失败 / the restarted town did not converge within " +
                           Seconds(kFallbackLimit));
      }
      return Status();
    }
    case Fallback::kDone:
      return Status();
  }
  return Status();
}

Status Demo::CheckChildren() {
  for (DemoNode& n : nodes_) {
    if (n.pid < 0) continue;
    int status = 0;
    if (::waitpid(n.pid, &status, WNOHANG) == n.pid) {
      n.pid = -1;
      return Unavailable(n.name + " (" + n.unit + ") 意外退出 exited unexpectedly with " +
                         std::to_string(ExitOf(status)) + "; its log:\n" + Tail(n.log, 12));
    }
  }
  return Status();
}

Status Demo::Tick() {
  const auto now = SteadyClock::now();
  FULEI_RETURN_IF_ERROR(CheckChildren());
  if (now >= next_poll_) {
    PollStatuses();
    next_poll_ = now + (fallback_ == Fallback::kRestarted ? seconds(1) : kPollEvery);
    if (live_) Draw();
  }
  if (now >= next_receipts_) {
    FULEI_RETURN_IF_ERROR(PollReceipts());
    next_receipts_ = now + kReceiptPollEvery;
  }
  if (now >= next_report_) {
    // A village whose town runs (the fallback files its own report).
    std::vector<int> villages;
    for (size_t k = 0; k < nodes_.size(); ++k) {
      const DemoNode& n = nodes_[k];
      if (n.level == kVillage && nodes_[static_cast<size_t>(n.parent)].pid > 0) {
        villages.push_back(static_cast<int>(k));
      }
    }
    if (!villages.empty()) {
      FULEI_RETURN_IF_ERROR(FileReport(
          villages[static_cast<size_t>(dice_.Uniform(0, static_cast<int>(villages.size()) - 1))],
          false));
    }
    next_report_ = now + kReportEvery;
    next_receipts_ = now + milliseconds(200);
  }
  return StepFallback();
}

std::string Demo::TableText(bool ansi) const {
  const auto now = SteadyClock::now();
  auto colour = [&](const std::string& text, const char* code) {
    return ansi ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  };
  std::string out;
  out += PadRight("单位 unit", 26) + PadRight("名称 name", 20) + PadRight("进程 process", 14) +
         PadLeft("记录 records", 13) + "  " + PadRight("上级 link", 22) +
         PadRight("同步 last sync", 16) + PadLeft("紧急待送 backlog", 17) +
         PadLeft("在途报告 in flight", 19) + "\n";
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const DemoNode& n = nodes_[i];
    const std::string indent(static_cast<size_t>(n.level) * 2, ' ');
    std::string process = n.pid > 0 ? colour("运行 up", "32") + " " + std::to_string(n.pid)
                                    : colour("已停 stopped", "31");
    std::string link;
    if (n.pid <= 0 || !n.answered) {
      link = "—";
    } else if (n.level == kCity) {
      link = "下级 " + std::to_string(n.peers) + " peers";
    } else if (n.up) {
      link = colour(n.up_full ? "已连 connected" : "已连 urgent only", "32");
    } else if (n.fallback) {
      link = colour("回退→市 fallback", "33");
    } else {
      link = colour("断开 down", "31");
    }
    std::string sync = "—";
    if (n.pid > 0 && n.last_sync) {
      const auto ago = std::chrono::duration_cast<seconds>(now - *n.last_sync).count();
      sync = ago < 3 ? "刚刚 just now" : std::to_string(ago) + " s 前 ago";
    } else if (n.pid > 0 && n.answered) {
      sync = "同步中 syncing";
    }
    const int flight = InFlight(static_cast<int>(i));
    out += PadRight(indent + n.unit, 26) + PadRight(n.name, 20) + PadRight(process, 14) +
           PadLeft(n.answered ? std::to_string(n.records) : "—", 13) + "  " + PadRight(link, 22) +
           PadRight(sync, 16) + PadLeft(n.level == kCity ? "" : std::to_string(n.backlog), 17) +
           PadLeft(flight ? colour(std::to_string(flight), "33") : "0", 19) + "\n";
  }
  size_t town = 0, city_receipts = 0;
  for (const Filed& f : filed_) {
    town += f.town ? 1 : 0;
    city_receipts += f.city ? 1 : 0;
  }
  out += "\n紧急报告 urgent reports: " + std::to_string(filed_.size()) + " filed 已登记, " +
         std::to_string(town) + " with the town's receipt 镇回执, " +
         std::to_string(city_receipts) + " with the city's receipt 市回执\n";
  out += WebText(false);
  return out;
}

void Demo::Draw() {
  std::string screen = "\033[H\033[2J";
  const auto elapsed = SteadyClock::now() - started_;
  screen += "\033[1m福蕾 fulei 演示 demo\033[0m — " + units_.name + " " + units_.id +
            " on 127.0.0.1   \033[33m合成数据 synthetic data\033[0m   " + Clock(elapsed);
  if (end_ != SteadyClock::time_point{}) screen += " of " + Clock(end_ - started_);
  screen += "   Ctrl-C 停止并清理 stops and cleans up\n数据 data: " + root_.string() + "\n\n";
  screen += TableText(true);
  screen += "\n最近事件 recent events\n";
  const size_t columns = TerminalColumns();
  for (const std::string& e : events_) screen += (columns ? Truncate(e, columns) : e) + "\n";
  std::fwrite(screen.data(), 1, screen.size(), stdout);
  std::fflush(stdout);
}

void Demo::Shutdown() {
  if (shut_) return;
  shut_ = true;
  if (live_) {
    Draw();
    live_ = false;
    std::printf("\033[?25h");
  }
  // Villages first, then towns, then the city: all at once, each given the grace period.
  std::vector<pid_t> pids;
  std::vector<size_t> which;
  for (size_t k = nodes_.size(); k-- > 0;) {
    if (nodes_[k].pid > 0) {
      pids.push_back(nodes_[k].pid);
      which.push_back(k);
    }
  }
  if (!pids.empty()) {
    std::printf("停止 stopping %zu fulei processes (SIGTERM, SIGKILL after %s)...\n", pids.size(),
                Seconds(kStopGrace).c_str());
    std::fflush(stdout);
    const std::vector<int> codes = StopAll(pids, kStopGrace);
    int clean = 0;
    for (size_t k = 0; k < codes.size(); ++k) {
      nodes_[which[k]].pid = -1;
      if (codes[k] == 0) {
        ++clean;
      } else {
        std::printf("  %s (%s) exited %d\n", nodes_[which[k]].name.c_str(),
                    nodes_[which[k]].unit.c_str(), codes[k]);
      }
    }
    std::printf("已停止 stopped: %d of %zu exited cleanly\n", clean, codes.size());
  }
  if (made_root_ && !keep_) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    if (ec) {
      std::printf("未能删除 could not remove %s: %s\n", root_.string().c_str(),
                  ec.message().c_str());
    } else {
      std::printf("已删除 removed %s\n", root_.string().c_str());
    }
  } else if (made_root_) {
    std::printf("数据保留在 data kept in %s (fulei run --dir %s/<node> runs a node again)\n",
                root_.string().c_str(), root_.string().c_str());
  }
  std::fflush(stdout);
}

int Demo::Run() {
  tty_ = ::isatty(STDOUT_FILENO) == 1;
  auto units = LoadCity(options_.units_file);
  if (!units.ok()) {
    std::fprintf(stderr, "错误 error: %s\n", units.status().message().c_str());
    return 2;
  }
  units_ = std::move(*units);
  if (options_.towns > static_cast<int>(units_.towns.size())) {
    std::fprintf(stderr, "注意 note: only %zu towns are known; running %zu\n", units_.towns.size(),
                 units_.towns.size());
  }
  const int total = options_.seconds > 0 ? options_.seconds : options_.minutes * 60;
  if (total > 0) end_ = started_ + seconds(total);

  auto fail = [&](const Status& s) {
    if (s.code() == StatusCode::kAborted) {
      std::printf("中断 interrupted: stopping\n");
      Shutdown();
      return 0;  // Ctrl-C while setting up: a clean stop
    }
    if (live_) {
      Draw();
      live_ = false;
      std::printf("\033[?25h");
    }
    std::fprintf(stderr, "\n错误 error: %s\n", s.message().c_str());
    std::fflush(stderr);
    Shutdown();
    return 1;
  };

  if (Status s = MakeRoot(); !s.ok()) return fail(s);
  if (Status s = Enrol(); !s.ok()) return fail(s);
  if (Status s = Fill(); !s.ok()) return fail(s);
  if (Status s = MakeAccounts(); !s.ok()) return fail(s);
  if (Status s = WaitWeb(); !s.ok()) return fail(s);
  std::printf("\n%s", WebText(true).c_str());
  std::fflush(stdout);

  PollStatuses();
  if (tty_) {
    live_ = true;
    std::printf("\033[?25l");
  } else {
    std::printf("\n%s\n", TableText(false).c_str());
    std::fflush(stdout);
  }
  const auto now = SteadyClock::now();
  next_poll_ = now;
  next_receipts_ = now;
  next_report_ = now + kFirstReportAfter;
  while (g_signal == 0 && (end_ == SteadyClock::time_point{} || SteadyClock::now() < end_)) {
    if (Status s = Tick(); !s.ok()) return fail(s);
    std::this_thread::sleep_for(milliseconds(100));
  }
  if (live_) {
    Draw();
    live_ = false;
    std::printf("\033[?25h\n");
  } else {
    PollStatuses();
    std::printf("\n%s\n", TableText(false).c_str());
  }
  std::printf("%s\n", g_signal != 0 ? "中断 interrupted: stopping" : "时间到 time is up: stopping");
  Shutdown();
  return 0;
}

}  // namespace

int RunDemo(const DemoOptions& options, const std::string& self) {
  // The binary the children run: this very one, by an absolute path (argv[0] may be relative,
  // or a bare name found on PATH).
  std::string exe = self;
  std::error_code ec;
  const fs::path proc = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) exe = proc.string();
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);
  ::signal(SIGPIPE, SIG_IGN);
  int code = 0;
  {
    Demo demo(options, exe);
    code = demo.Run();
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  return code;
}

}  // namespace fulei::node
