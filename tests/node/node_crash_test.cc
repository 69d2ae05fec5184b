// Crash between storing an urgent report and sending it (issue 6). The town runs in this
// process; the village runs in a forked child process with its own io_context and store, and is
// killed with SIGKILL at a random point around its Write of a report:
//   - "offline": the village's upstream address refuses connections, so the report is stored
//     and never sent; the kill comes 0-30 ms after Write returned, and the town provably does not
//     hold the report;
//   - "online": the village is connected; the kill comes 0-30 ms after Write returned (before,
//     during or after the first send);
//   - "anywhere": the kill comes at a random time after the child started, possibly inside Write
//     (then the report was never acknowledged to the writer and nothing is asserted about it,
//     beyond the store reopening and syncing).
// Each round then restarts the village from the same data dir, connected; every report whose
// Write returned must reach the town and leave the village's outbox. At the end the village is
// opened in this process and both nodes must have converged. The seed is printed; set
// FULEI_CRASH_SEED to replay a run's choices (kill timing still depends on the scheduler).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/node/test_network.h"
#include "tests/node/write_helpers.h"
#include "tests/support/status_matchers.h"

namespace fulei::node {
namespace {

using crypto::Role;
using std::chrono::milliseconds;
using std::chrono::seconds;
using namespace testing;  // NOLINT: the fixture's helpers

const std::vector<std::string> kTypes = {"child", "report"};
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v009";

enum class Mode { kOffline, kOnline, kAnywhere };
const char* Name(Mode m) {
  return m == Mode::kOffline ? "offline" : m == Mode::kOnline ? "online" : "anywhere";
}

// ---- the child process (no gtest in here: it reports through the pipe and _exits) ----

void Say(int fd, const std::string& line) {
  const std::string l = line + "\n";
  if (write(fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) _exit(3);
}

// Runs the village until killed. With `report_id`, first writes `backlog` ordinary ops and the
// report, then says "W <seq>"; in any case says "E" each time its outbox is found empty.
[[noreturn]] void RunVillageChild(TestNetwork& net, uint16_t upstream_port, int fd,
                                  std::optional<std::string> report_id, int backlog) {
  boost::asio::io_context io;
  NodeConfig config = net.Config(kVillage, false, upstream_port);
  config.log = [](std::string_view) {};
  auto node = net.Start(io, std::move(config));
  if (!node.ok()) {
    Say(fd, "X start: " + node.status().ToString());
    _exit(2);
  }
  Node& v = **node;
  if (report_id) {
    if (backlog > 0 && !WriteBacklog(v, 0, backlog, 50).ok()) _exit(4);
    auto report = WriteReport(v, *report_id);
    if (!report.ok()) {
      Say(fd, "X write: " + report.status().ToString());
      _exit(5);
    }
    Say(fd, "W " + std::to_string(report->seq));
  }
  for (;;) {
    io.run_for(milliseconds(2));
    if (io.stopped()) io.restart();
    auto left = v.store().Outbox(kUpstreamOutbox);
    if (left.ok() && left->empty()) Say(fd, "E");
  }
}

// ---- the parent ----

struct Child {
  pid_t pid = -1;
  int fd = -1;  // read end of the child's pipe, non-blocking
  std::string buffer;

  // Complete lines received so far (consumed).
  std::vector<std::string> Lines() {
    char chunk[256];
    for (;;) {
      const ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    std::vector<std::string> out;
    for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
      out.push_back(buffer.substr(0, nl));
      buffer.erase(0, nl + 1);
    }
    return out;
  }
  // SIGKILL and reap; the exit status (-1 when killed by the signal, as expected).
  int Kill() {
    if (pid < 0) return -1;
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    close(fd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

Child Spawn(TestNetwork& net, uint16_t upstream_port, std::optional<std::string> report_id,
            int backlog) {
  int fds[2];
  FULEI_CHECK(pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = fork();
  FULEI_CHECK(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    RunVillageChild(net, upstream_port, fds[1], std::move(report_id), backlog);
  }
  close(fds[1]);
  FULEI_CHECK(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
  return Child{pid, fds[0], {}};
}

// Drives the io_context for `ms`.
void Spin(boost::asio::io_context& io, int ms) {
  RunUntil(
      io, [] { return false; }, milliseconds(ms), milliseconds(1));
}

TEST(UrgentCrashTest, ReportStoredThenKilledIsSentAfterRestart) {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("FULEI_CRASH_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::printf("FULEI_CRASH_SEED=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);

  TestNetwork net("urgent-crash");
  net.Add(kTown, Role::kTown);
  const Site& vsite = net.Add(kVillage, Role::kVillage);
  boost::asio::io_context io;
  NodeConfig town_config = net.Config(kTown, true, 0);
  auto started = net.Start(io, town_config);
  ASSERT_OK(started);
  std::unique_ptr<Node> town = std::move(started).value();
  const uint16_t town_port = town->listen_port();
  // A port that refuses connections: bound, never listening.
  boost::asio::ip::tcp::acceptor dead(io);
  dead.open(boost::asio::ip::tcp::v4());
  dead.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  const uint16_t dead_port = dead.local_endpoint().port();

  struct Acked {
    std::string id;
    uint64_t seq;
  };
  std::vector<Acked> acked;  // reports whose Write returned in the child
  constexpr int kRounds = 15;
  int offline_rounds = 0, killed_before_ack = 0;
  for (int round = 0; round < kRounds; ++round) {
    const Mode mode = static_cast<Mode>(round % 3);  // every mode, the same number of times
    const int backlog = static_cast<int>(rng() % 4) * 100;
    const int delay_ms = static_cast<int>(rng() % 31);
    const std::string id = "r" + std::to_string(round);
    SCOPED_TRACE(std::string("round ") + std::to_string(round) + " (" + Name(mode) + ", backlog " +
                 std::to_string(backlog) + ", kill after " + std::to_string(delay_ms) + " ms)");

    Child c = Spawn(net, mode == Mode::kOffline ? dead_port : town_port, id, backlog);
    std::optional<uint64_t> seq;
    std::string error;
    if (mode == Mode::kAnywhere) {
      // Kill at a random time after the start: maybe before, inside or after Write.
      const int after = static_cast<int>(rng() % 400);
      RunUntil(
          io,
          [&] {
            for (const std::string& l : c.Lines()) {
              if (l.rfind("W ", 0) == 0) seq = std::stoull(l.substr(2));
            }
            return false;
          },
          milliseconds(after), milliseconds(1));
    } else {
      const bool written = RunUntil(
          io,
          [&] {
            for (const std::string& l : c.Lines()) {
              if (l.rfind("W ", 0) == 0) seq = std::stoull(l.substr(2));
              if (l.rfind("X ", 0) == 0) error = l;
            }
            return seq.has_value() || !error.empty();
          },
          seconds(20), milliseconds(1));
      ASSERT_TRUE(written && error.empty()) << "the child never wrote its report: " << error;
      Spin(io, delay_ms);
    }
    ASSERT_EQ(c.Kill(), -1) << "the child exited by itself";
    if (seq) {
      acked.push_back({id, *seq});
    } else {
      ++killed_before_ack;
    }
    if (mode == Mode::kOffline) {
      ++offline_rounds;
      // Stored and never sent: the town cannot hold it.
      auto at_town = town->store().GetOp(kVillage, vsite.id, *seq);
      ASSERT_OK(at_town);
      EXPECT_FALSE(at_town->has_value()) << "the town holds a report that was never sent";
    }

    // Restart from the same data dir, connected: every acknowledged report reaches the town
    // and the outbox empties. Then the restarted village is killed too.
    Child r = Spawn(net, town_port, std::nullopt, 0);
    bool empty = false;
    std::string why;
    const bool delivered = RunUntil(
        io,
        [&] {
          for (const std::string& l : r.Lines()) {
            if (l == "E") empty = true;
            if (l.rfind("X ", 0) == 0) why = l;
          }
          for (const Acked& a : acked) {
            auto got = town->store().GetOp(kVillage, vsite.id, a.seq);
            if (!got.ok() || !got->has_value()) {
              why = a.id + " (seq " + std::to_string(a.seq) + ") not at the town";
              return false;
            }
          }
          return empty;
        },
        seconds(30), milliseconds(2));
    r.Kill();
    ASSERT_TRUE(delivered) << "after restart: " << (why.empty() ? "outbox not empty" : why);
  }
  std::printf(
      "%d rounds (%d with the upstream unreachable), %zu reports acknowledged by Write, "
      "%d kills before Write returned\n",
      kRounds, offline_rounds, acked.size(), killed_before_ack);
  EXPECT_GE(acked.size(), static_cast<size_t>(kRounds / 2));

  // Finally the village runs here, and both nodes converge.
  auto v = net.Start(io, net.Config(kVillage, false, town_port));
  ASSERT_OK(v);
  std::string last;
  ASSERT_TRUE(RunUntil(
      io,
      [&] {
        last = Divergence({town.get(), v->get()}, kTypes);
        return last.empty();
      },
      seconds(30), milliseconds(10)))
      << last;
  for (const Acked& a : acked) {
    auto r = town->store().Get({kVillage, "report", a.id});
    ASSERT_TRUE(r.ok() && r->has_value()) << a.id;
  }
  v->reset();
  town.reset();
}

}  // namespace
}  // namespace fulei::node
