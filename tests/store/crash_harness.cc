#include "tests/store/crash_harness.h"

#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <set>

#include "crdt/codec.h"
#include "crdt/hlc.h"
#include "crdt/record.h"
#include "store/store.h"
#include "tests/store/io_faults.h"

namespace fulei::store::testing {
namespace {

constexpr crdt::NodeId kOrigins[] = {0xa1, 0xb2, 0xc3};
constexpr const char* kScopes[] = {"t/v1", "t/v2"};
constexpr int kChains = 6;
constexpr crdt::NodeId kSelf = 0x51;
constexpr const char* kLocalScope = "t/v1";
constexpr uint64_t kPeriod = 120;  // seq s rewrites the field that seq s - 120 wrote

struct Chain {
  crdt::NodeId origin;
  std::string scope;
  int index;
};

Chain ChainAt(int c) { return Chain{kOrigins[c % 3], kScopes[c / 3], c}; }

crdt::Stamp StampOf(const Chain& c, uint64_t s) {
  return crdt::Stamp{1'600'000'000'000ull + s * 10 + static_cast<uint64_t>(c.index), 0};
}

crdt::Op OpAt(const Chain& c, uint64_t s) {
  crdt::Op op;
  op.origin = c.origin;
  op.seq = s;
  op.stamp = StampOf(c, s);
  op.author = "u-remote";
  op.key = crdt::RecordKey{c.scope, "child", "r" + std::to_string(s % 40)};
  op.flags = s % 11 == 0 ? crdt::kOpFlagUrgent : 0;
  crdt::FieldWrite w;
  w.field = "f" + std::to_string((s / 40) % 3);
  w.value = std::string(100, static_cast<char>('a' + (s + static_cast<uint64_t>(c.index)) % 26));
  w.value += std::to_string(s);
  if (s > kPeriod) w.supersedes.push_back(crdt::OpId{StampOf(c, s - kPeriod), c.origin});
  op.writes.push_back(std::move(w));
  return op;
}

// Batch of seq s: (s-1)/K, except every 7th op is delayed by one batch (a gap, then a fill).
uint64_t BatchOf(uint64_t s, uint64_t k) { return (s - 1) / k + (s % 7 == 0 ? 1 : 0); }

std::vector<crdt::Op> Batch(uint64_t b, uint64_t k) {
  std::vector<crdt::Op> ops;
  for (int c = 0; c < kChains; ++c) {
    Chain chain = ChainAt(c);
    uint64_t lo = b * k >= k ? b * k - k + 1 : 1;
    for (uint64_t s = lo; s <= (b + 1) * k; ++s) {
      if (BatchOf(s, k) == b) ops.push_back(OpAt(chain, s));
    }
  }
  return ops;
}

// Highest s of a chain such that every op 1..s was in batches 0..last.
uint64_t ContiguousAfter(uint64_t last, uint64_t k) {
  uint64_t s = (last + 1) * k;
  while (s > 0 && BatchOf(s, k) > last) --s;
  for (uint64_t t = 1; t <= s; ++t) {
    if (BatchOf(t, k) > last) return t - 1;
  }
  return s;
}

struct Ack {
  uint32_t kind;  // 0: remote batch b acknowledged; 1: local op seq acknowledged
  uint32_t pad;
  uint64_t value;
};

// The child's options; the parent checks with the same ones but durable commits.
StoreOptions ChildOptions(const CrashRunOptions& o, bool child = false) {
  StoreOptions so;
  so.test_only_no_sync = child && o.test_only_no_sync;
  so.sealer = o.sealer;
  so.node_id = kSelf;
  so.initial_map_bytes = 256 << 10;  // small, so map growth happens under the kills too
  so.reserve_bytes = 1 << 20;
  return so;
}

[[noreturn]] void ChildMain(const CrashRunOptions& o, uint64_t start, int fd, int64_t kill_at) {
  if (o.in_child) o.in_child();
  if (kill_at > 0) KillAtWrite(kill_at);  // may land in Open, in a batch or in a local write
  auto opened = Store::Open(o.dir, ChildOptions(o, /*child=*/true));
  if (!opened.ok()) ::_exit(3);
  std::unique_ptr<Store> store = std::move(opened).value();
  auto hw = store->HlcHighWater();
  if (!hw.ok()) ::_exit(3);
  crdt::HybridClock clock;
  clock.Restore(*hw);
  const auto k = static_cast<uint64_t>(o.ops_per_chain);
  for (uint64_t b = start; b < start + 100000; ++b) {
    ApplyOptions ao;
    ao.outbox_peers = {"up"};
    for (int c = 0; c < kChains; ++c) {
      Chain chain = ChainAt(c);
      ao.heads.push_back({chain.scope, chain.origin, (b + 1) * k, "head-" + std::to_string(b)});
    }
    if (!store->ApplyBatch(Batch(b, k), ao).ok()) ::_exit(4);
    Ack ack{0, 0, b};
    if (::write(fd, &ack, sizeof ack) != sizeof ack) ::_exit(7);

    crdt::RecordKey key{kLocalScope, "child", "local-" + std::to_string(b % 10)};
    auto current = store->Get(key);
    if (!current.ok()) ::_exit(5);
    crdt::RecordState state = current->value_or(crdt::RecordState());
    LocalChange change{key, {crdt::SetWrite(state, "n", std::to_string(b))}, "u-local", 0};
    auto local = store->WriteLocal(std::vector<LocalChange>{change}, clock, /*wall_ms=*/0);
    if (!local.ok()) ::_exit(5);
    Ack lack{1, 0, local->front().seq};
    if (::write(fd, &lack, sizeof lack) != sizeof lack) ::_exit(7);
  }
  ::_exit(6);
}

class Verifier {
 public:
  Verifier(const CrashRunOptions& o, CrashRunReport& r) : o_(o), r_(r) {}

  void Fail(std::string what) {
    if (r_.failures.size() < 20)
      r_.failures.push_back("round " + std::to_string(round_) + ": " + what);
  }

  // Checks the store after a kill; `acked_to` is the last acknowledged batch (or -1).
  void Check(int round, int64_t acked_to, uint64_t acked_local) {
    round_ = round;
    auto opened = Store::Open(o_.dir, ChildOptions(o_));
    if (!opened.ok()) return Fail("reopen: " + opened.status().ToString());
    Store& store = **opened;
    const auto k = static_cast<uint64_t>(o_.ops_per_chain);
    // Every op of a batch acknowledged since the last check, with its exact bytes.
    std::set<crdt::OpId> urgent_expected;
    for (int64_t b = verified_to_ + 1; b <= acked_to; ++b) {
      for (const auto& op : Batch(static_cast<uint64_t>(b), k)) {
        auto held = store.GetOp(op.key.scope, op.origin, op.seq);
        if (!held.ok()) return Fail("GetOp: " + held.status().ToString());
        if (!held->has_value()) return Fail("acknowledged op lost: seq " + std::to_string(op.seq));
        if (**held != crdt::EncodeOp(op)) return Fail("acknowledged op changed");
        if (op.urgent()) urgent_expected.insert(op.id());
      }
    }
    verified_to_ = acked_to;
    // Version vectors cover every acknowledged contiguous prefix.
    uint64_t contiguous = acked_to < 0 ? 0 : ContiguousAfter(static_cast<uint64_t>(acked_to), k);
    VersionVector local_vv;
    for (const char* scope : kScopes) {
      auto vv = store.GetVersionVector(scope);
      if (!vv.ok()) return Fail("vv: " + vv.status().ToString());
      for (crdt::NodeId origin : kOrigins) {
        uint64_t have = vv->count(origin) ? vv->at(origin) : 0;
        if (have < contiguous) {
          return Fail(std::string("vv below acknowledged ops in ") + scope);
        }
      }
      if (std::string(scope) == kLocalScope) local_vv = *vv;
    }
    uint64_t local_have = local_vv.count(kSelf) ? local_vv.at(kSelf) : 0;
    if (local_have < acked_local) return Fail("acknowledged local op lost");
    // Local stamps only grow, across every restart (the HLC high-water mark is persisted).
    VersionVector skip = local_vv;
    skip[kSelf] = local_checked_;
    for (;;) {
      auto chunk = store.OpsSince(kLocalScope, skip, 500);
      if (!chunk.ok()) return Fail("OpsSince: " + chunk.status().ToString());
      for (const auto& ob : chunk->ops) {
        auto op = crdt::DecodeOp(ob.bytes);
        if (!op.ok()) return Fail("local op does not decode");
        if (!(last_local_stamp_ < op->stamp)) return Fail("local stamp went backwards");
        last_local_stamp_ = op->stamp;
        skip[kSelf] = ob.seq;
      }
      if (!chunk->more) break;
    }
    local_checked_ = skip[kSelf];
    // Held urgent ops are queued for upstream.
    auto outbox = store.Outbox("up", 1u << 20);
    if (!outbox.ok()) return Fail("outbox: " + outbox.status().ToString());
    std::set<crdt::OpId> queued;
    for (const auto& e : *outbox) queued.insert(e.id);
    for (const auto& id : urgent_expected) {
      if (!queued.count(id)) return Fail("acknowledged urgent op missing from the outbox");
    }
    auto report = store.CheckIntegrity();
    if (!report.ok()) return Fail("CheckIntegrity: " + report.status().ToString());
    if (!report->ok()) return Fail("integrity: " + report->problems.front());
    r_.ops_held = report->ops;
  }

 private:
  const CrashRunOptions& o_;
  CrashRunReport& r_;
  int round_ = 0;
  int64_t verified_to_ = -1;
  uint64_t local_checked_ = 0;
  crdt::Stamp last_local_stamp_;
};

}  // namespace

CrashRunReport RunCrashLoop(const CrashRunOptions& o) {
  // Each round opens the store twice (child and parent), and mdb_env_open callocs a 2 MiB dirty
  // page list. Once glibc has raised its dynamic mmap threshold past that, every such calloc
  // comes from the heap and is zeroed by hand: a third of the loop's CPU. A fixed threshold
  // keeps it an mmap (zero pages, touched only as used). Speed only: nothing checked changes.
  ::mallopt(M_MMAP_THRESHOLD, 256 << 10);
  CrashRunReport report;
  auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(o.seed);
  Verifier verifier(o, report);
  int64_t acked_to = -1;
  uint64_t acked_local = 0;
  for (int round = 0; round < o.kills && report.failures.empty(); ++round) {
    int fds[2];
    if (::pipe(fds) != 0) {
      report.failures.push_back("pipe failed");
      break;
    }
    bool self_kill = rng() % 2 == 0;
    int64_t kill_at = self_kill ? static_cast<int64_t>(1 + rng() % 80) : 0;
    uint64_t acks_before_kill = rng() % 12;  // parent kills: after 0..11 acknowledgements
    pid_t pid = ::fork();
    if (pid < 0) {
      report.failures.push_back("fork failed");
      break;
    }
    if (pid == 0) {
      ::close(fds[0]);
      ChildMain(o, static_cast<uint64_t>(acked_to + 1), fds[1], kill_at);
    }
    ::close(fds[1]);
    uint64_t acks = 0;
    bool killed = false;
    if (!self_kill && acks_before_kill == 0) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    Ack ack{};
    while (::read(fds[0], &ack, sizeof ack) == static_cast<ssize_t>(sizeof ack)) {
      if (ack.kind == 0) acked_to = static_cast<int64_t>(ack.value);
      if (ack.kind == 1) acked_local = std::max(acked_local, ack.value);
      ++acks;
      if (!self_kill && !killed && acks >= acks_before_kill) {
        ::kill(pid, SIGKILL);
        killed = true;
      }
      if (self_kill && acks > 200) {  // the armed write was never reached: end it here
        ::kill(pid, SIGKILL);
        killed = true;
      }
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
      report.failures.push_back("round " + std::to_string(round) + ": child exited with " +
                                (WIFEXITED(status) ? "code " + std::to_string(WEXITSTATUS(status))
                                                   : "signal " + std::to_string(WTERMSIG(status))));
      break;
    }
    ++report.kills;
    if (self_kill && !killed) {
      ++report.self_kills;
    } else {
      ++report.parent_kills;
    }
    if (o.after_kill) {
      const std::string error = o.after_kill(rng());
      if (!error.empty()) {
        report.failures.push_back("round " + std::to_string(round) + ": " + error);
        break;
      }
    }
    verifier.Check(round, acked_to, acked_local);
  }
  report.acked_batches = static_cast<uint64_t>(acked_to + 1);
  report.acked_local = acked_local;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace fulei::store::testing
