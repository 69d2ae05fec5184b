// Faults under the store: a full map, a full disk (a real tmpfs), and I/O errors at every write
// of a commit. In each case: a clear error, nothing half-written, nothing acknowledged lost, and
// the reserve keeps urgent ops flowing on a full disk.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "store/store.h"
#include "tests/store/io_faults.h"
#include "tests/store/test_util.h"
#include "tests/support/skip.h"

namespace fulei::store {
namespace {

using crdt::Op;
using ::fulei::testing::TempDir;
using testing::MakeOp;
using testing::Set;

constexpr crdt::NodeId kSelf = 0x51;
constexpr crdt::NodeId kA = 0xa1;

// Ops seq first..first+n-1 of origin kA in scope "v", each with a `value_bytes` value.
std::vector<Op> Chain(uint64_t first, size_t n, size_t value_bytes, uint32_t flags = 0) {
  std::vector<Op> ops;
  for (uint64_t s = first; s < first + n; ++s) {
    ops.push_back(MakeOp(kA, "v", s, flags ? "report" : "child", "r" + std::to_string(s % 97),
                         {Set("f" + std::to_string(s % 5),
                              std::string(value_bytes, static_cast<char>('a' + s % 26)))},
                         flags));
  }
  return ops;
}

// Every op in `ops` is held with exactly its bytes, and the store is sound.
void ExpectHeld(Store& store, const std::vector<Op>& ops) {
  for (const auto& op : ops) {
    auto got = store.GetOp(op.key.scope, op.origin, op.seq);
    ASSERT_OK(got);
    ASSERT_TRUE(got->has_value()) << "lost acknowledged op seq " << op.seq;
  }
}

void ExpectSound(Store& store) {
  auto report = store.CheckIntegrity();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST(StoreFault, MapGrowsWhenFullAndTheBatchIsRetried) {
  TempDir dir;
  StoreOptions o;
  o.node_id = kSelf;
  o.initial_map_bytes = 64 << 10;  // a few pages: the first batches already overflow it
  o.reserve_bytes = 0;
  auto store = Store::Open(dir.path(), o);
  ASSERT_OK(store);
  std::vector<Op> all;
  for (int b = 0; b < 20; ++b) {
    auto batch = Chain(all.size() + 1, 100, 300);
    auto r = (*store)->ApplyBatch(batch);
    ASSERT_OK(r);
    EXPECT_EQ(r->applied, batch.size());
    all.insert(all.end(), batch.begin(), batch.end());
  }
  auto stats = (*store)->Stats();
  ASSERT_OK(stats);
  EXPECT_GT(stats->map_growths, 0u);
  EXPECT_GT(stats->map_bytes, uint64_t{64} << 10);
  ExpectHeld(**store, all);
  ExpectSound(**store);
  store->reset();
  auto reopened = Store::Open(dir.path(), o);  // an initial map smaller than the file is fine
  ASSERT_OK(reopened);
  ExpectHeld(**reopened, all);
}

TEST(StoreFault, MapCeilingIsAClearErrorAndWritesNothing) {
  TempDir dir;
  StoreOptions o;
  o.node_id = kSelf;
  o.initial_map_bytes = 64 << 10;
  o.max_map_bytes = 512 << 10;
  o.reserve_bytes = 0;
  auto store = Store::Open(dir.path(), o);
  ASSERT_OK(store);
  std::vector<Op> acked;
  Status last;
  for (int b = 0; b < 100 && last.ok(); ++b) {
    auto batch = Chain(acked.size() + 1, 50, 400);
    auto r = (*store)->ApplyBatch(batch);
    last = r.status();
    if (r.ok()) acked.insert(acked.end(), batch.begin(), batch.end());
  }
  ASSERT_EQ(last.code(), StatusCode::kResourceExhausted) << last.ToString();
  EXPECT_NE(last.message().find("max_map_bytes"), std::string::npos) << last.ToString();
  auto vv = (*store)->GetVersionVector("v");
  ASSERT_OK(vv);
  EXPECT_EQ(vv->at(kA), acked.size());  // the refused batch left no trace
  EXPECT_FALSE((*store)->GetOp("v", kA, acked.size() + 1)->has_value());
  ExpectHeld(**store, acked);
  ExpectSound(**store);
}

// Fails the k-th write syscall (pwrite, writev, fdatasync, fsync) of a commit, for every k
// the commit makes: page writes, the data sync and the meta page write (after which LMDB is in
// MDB_PANIC; the store reopens the environment). Each k starts from a copy of the same store,
// so every k meets the same sequence of writes and the sweep reaches the meta write.
void RunIoErrorSweep(int err, StatusCode expected) {
  TempDir base;
  StoreOptions o;
  o.node_id = kSelf;
  o.reserve_bytes = 0;
  std::vector<Op> before = Chain(1, 200, 200);
  {
    auto store = Store::Open(base.path(), o);
    ASSERT_OK(store);
    ASSERT_OK((*store)->ApplyBatch(before));
  }
  const auto batch = Chain(before.size() + 1, 150, 200);
  int failures = 0;
  bool saw_reopen = false;
  for (int64_t k = 1; k < 1000; ++k) {
    TempDir dir;
    std::filesystem::copy_file(base.path() + "/data.mdb", dir.path() + "/data.mdb");
    auto opened = Store::Open(dir.path(), o);
    ASSERT_OK(opened);
    std::unique_ptr<Store> store = std::move(opened).value();
    testing::FailWriteAt(k, err);
    auto r = store->ApplyBatch(batch);
    bool fired = testing::WritesSeen() >= k;
    testing::DisarmIoFaults();
    if (!fired) {  // the commit made fewer than k writes: the sweep is complete
      ASSERT_OK(r);
      break;
    }
    ++failures;
    ASSERT_FALSE(r.ok()) << "a failed write at k=" << k << " was acknowledged";
    EXPECT_EQ(r.status().code(), expected) << "k=" << k << ": " << r.status().ToString();
    for (const auto& op : batch) {
      auto held = store->GetOp("v", kA, op.seq);
      ASSERT_OK(held);
      ASSERT_FALSE(held->has_value()) << "k=" << k << ": part of a failed batch is visible";
    }
    // Sync would retry the batch: it must go through now.
    auto retry = store->ApplyBatch(batch);
    ASSERT_OK(retry);
    EXPECT_EQ(retry->applied, batch.size());
    saw_reopen = saw_reopen || store->Stats()->env_reopens > 0;
    store.reset();
    auto again = Store::Open(dir.path(), o);
    ASSERT_OK(again);
    ExpectHeld(**again, before);
    ExpectHeld(**again, batch);
    ExpectSound(**again);
    EXPECT_EQ((*again)->GetVersionVector("v")->at(kA), before.size() + batch.size());
  }
  EXPECT_GE(failures, 3) << "the sweep should cover page writes, sync and meta write";
  EXPECT_TRUE(saw_reopen) << "a failed meta write should have forced an environment reopen";
}

TEST(StoreFault, IoErrorAtEveryWriteOfACommitLosesNothingAcknowledged) {
  RunIoErrorSweep(EIO, StatusCode::kIoError);
}

TEST(StoreFault, PersistentIoErrorsAreReportedAndRecoverable) {
  TempDir dir;
  StoreOptions o;
  o.node_id = kSelf;
  o.reserve_bytes = 0;
  auto store = Store::Open(dir.path(), o);
  ASSERT_OK(store);
  auto first = Chain(1, 10, 100);
  ASSERT_OK((*store)->ApplyBatch(first));
  auto batch = Chain(11, 10, 100);
  testing::FailWritesFrom(1, EIO);  // a dying SD card: every write fails
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*store)->ApplyBatch(batch).status().code(), StatusCode::kIoError);
  }
  testing::DisarmIoFaults();
  auto vv = (*store)->GetVersionVector("v");  // reads keep working
  ASSERT_OK(vv);
  EXPECT_EQ(vv->at(kA), 10u);
  ASSERT_OK((*store)->ApplyBatch(batch));
  ExpectHeld(**store, batch);
  ExpectSound(**store);
}

// A tmpfs of a fixed size, mounted for one test (needs root; CI runs as root).
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& path) : path_(path) {
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=6m,mode=0700") == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  bool Resize(const std::string& size) {
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

TEST(StoreFault, FullDiskRefusesOrdinaryOpsAndTheReserveCarriesUrgentOnes) {
  TempDir dir;
  SmallDisk disk(dir.path());
  FULEI_SKIP_UNLESS_AVAILABLE(disk.mounted()
                                  ? std::string()
                                  : "mounting a 6 MiB tmpfs failed (errno " +
                                        std::to_string(errno) + "): the disk-full test needs root");
  std::string db = dir.sub("store");
  StoreOptions o;
  o.node_id = kSelf;
  o.initial_map_bytes = 1 << 20;
  o.reserve_bytes = 1 << 20;
  auto store = Store::Open(db, o);
  ASSERT_OK(store);
  ASSERT_TRUE((*store)->Stats()->reserve_held);

  // Fill the disk with ordinary ops: big batches, then single ops, until even one op is refused.
  std::vector<Op> acked;
  Status last;
  size_t batch_size = 40;
  for (int b = 0; b < 2000; ++b) {
    auto batch = Chain(acked.size() + 1, batch_size, 1000);
    auto r = (*store)->ApplyBatch(batch);
    last = r.status();
    if (r.ok()) {
      acked.insert(acked.end(), batch.begin(), batch.end());
    } else if (batch_size > 1) {
      ASSERT_EQ(last.code(), StatusCode::kResourceExhausted) << last.ToString();
      batch_size = 1;
    } else {
      break;
    }
  }
  ASSERT_EQ(last.code(), StatusCode::kResourceExhausted) << last.ToString();
  EXPECT_NE(last.message().find("disk full"), std::string::npos) << last.ToString();
  ASSERT_GT(acked.size(), 0u);
  EXPECT_TRUE((*store)->Stats()->reserve_held) << "ordinary ops must not use the reserve";

  // Urgent reports still get in. Small ones may fit in the last free pages; once one does not,
  // the reserve is released for it. Every one of them must be accepted.
  uint64_t next = acked.size() + 1;
  ApplyOptions ao;
  ao.outbox_peers = {"upstream"};
  size_t urgent_sent = 0;
  for (int i = 0; i < 200 && (*store)->Stats()->reserve_held; ++i) {
    auto urgent = Chain(next, 1, 1000, crdt::kOpFlagUrgent);
    auto r = (*store)->ApplyBatch(urgent, ao);
    ASSERT_OK(r);
    EXPECT_EQ(r->applied, 1u);
    acked.push_back(urgent[0]);
    ++next;
    ++urgent_sent;
  }
  EXPECT_FALSE((*store)->Stats()->reserve_held) << "the reserve was never needed";
  EXPECT_EQ((*store)->Outbox("upstream")->size(), urgent_sent);

  // Ordinary ops are refused up front now; a mixed batch takes its urgent ops only.
  auto ordinary = Chain(next, 1, 100);
  EXPECT_EQ((*store)->ApplyBatch(ordinary).status().code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE((*store)->GetOp("v", kA, next)->has_value());
  std::vector<Op> mixed = {
      MakeOp(kA, "w", 1, "child", "c", {Set("n", "x")}),
      MakeOp(0xb2, "w", 1, "report", "r", {Set("k", "help")}, crdt::kOpFlagUrgent)};
  auto m = (*store)->ApplyBatch(mixed);
  ASSERT_OK(m);
  EXPECT_EQ(m->outcomes, (std::vector<Outcome>{Outcome::kRefused, Outcome::kApplied}));
  acked.push_back(mixed[1]);
  crdt::HybridClock clock;
  auto local = (*store)->WriteLocal(
      std::vector<LocalChange>{
          {{"v", "report", "mine"}, {Set("k", "harm")}, "u", crdt::kOpFlagUrgent}},
      clock, 1000);
  ASSERT_OK(local);
  acked.push_back(local->front());
  EXPECT_EQ(
      (*store)
          ->WriteLocal(std::vector<LocalChange>{{{"v", "child", "c"}, {Set("k", "x")}, "u", 0}},
                       clock, 1000)
          .status()
          .code(),
      StatusCode::kResourceExhausted);

  // Urgent ops fill what the reserve freed; then they fail clearly too, without damage.
  Status urgent_status;
  for (int i = 0; i < 2000 && urgent_status.ok(); ++i) {
    auto u = Chain(next, 5, 1000, crdt::kOpFlagUrgent);
    auto ur = (*store)->ApplyBatch(u);
    urgent_status = ur.status();
    if (ur.ok()) {
      acked.insert(acked.end(), u.begin(), u.end());
      next += 5;
    }
  }
  EXPECT_EQ(urgent_status.code(), StatusCode::kResourceExhausted) << urgent_status.ToString();
  ExpectHeld(**store, acked);
  ExpectSound(**store);

  // Reopening on the full disk works and keeps everything.
  store->reset();
  store = Store::Open(db, o);
  ASSERT_OK(store);
  ExpectHeld(**store, acked);
  ExpectSound(**store);

  // Room again: the reserve is rebuilt and ordinary ops flow.
  ASSERT_TRUE(disk.Resize("64m"));
  auto resumed = Chain(next, 10, 100);
  auto rr = (*store)->ApplyBatch(resumed);
  ASSERT_OK(rr);
  EXPECT_EQ(rr->applied, resumed.size());
  EXPECT_TRUE((*store)->Stats()->reserve_held);
  ExpectSound(**store);
}

TEST(StoreFault, EnospcFromTheKernelIsReportedAsDiskFull) {
  RunIoErrorSweep(ENOSPC, StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace fulei::store
