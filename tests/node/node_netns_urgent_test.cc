// Urgent reports across a real saturated slow link (issue 6): a town and a village node in two
// network namespaces joined by a veth pair shaped by `tc ... tbf rate 256kbit`, with 100 ms of
// one-way delay added by the userspace link proxy. The village holds a large backlog that bulk
// sync is pushing through the link (batches of 1,000 ops, several in flight, far more than the
// link carries in a second). Reports written at the village during the backfill must overtake it:
// each is held at the town (pending behind the gap the backlog leaves in the village's chain)
// and acknowledged back to the village while the backlog is still incomplete, and fewer backlog
// ops than one sync batch reach the town between writing a report and the town holding it. The
// assertions are about order, not wall-clock time. Then everything converges. A FIFO control
// (classes off) shows the same report waiting behind the queued batches.
// Needs root and `ip netns`; otherwise skipped with the reason, or failed under CI=true
// (tests/support/skip.h).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/node/netns_fixture.h"
#include "tests/node/write_helpers.h"
#include "tests/support/skip.h"
#include "tests/support/status_matchers.h"

namespace fulei::node {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using namespace testing;  // NOLINT: the fixture's helpers

const std::vector<std::string> kTypes = {"child", "report"};

constexpr uint64_t kBatch = 1000;
constexpr int kBacklog = 3000;  // ~200 KB of sync traffic: several seconds at 256 kbit/s

// The village backlog's contiguous seq at the town when a report was written, when the town
// held it, and when the village's outbox had emptied (the town acknowledged it).
struct Crossing {
  uint64_t written = 0, held = 0, acked = 0, seq = 0;
};

// Runs the pair, writes `reports` reports one after the other once the backlog flows, waits for
// each to be held and acknowledged, then for convergence.
std::vector<Crossing> RunReports(bool fifo, int reports) {
  std::vector<Crossing> out;
  NetnsLinkConfig link;
  link.delay = milliseconds(100);
  NetnsPair pair(::testing::UnitTest::GetInstance()->current_test_info()->name(), link);
  if (!pair.ok()) {
    ADD_FAILURE() << "not reached: checked by the caller";
    return out;
  }
  NodeConfig town_config = pair.TownConfig();
  NodeConfig village_config = pair.VillageConfig();
  village_config.sync_max_batch_ops = kBatch;  // bulk sync as a village with a backlog runs it
  town_config.link.fifo = village_config.link.fifo = fifo;
  EXPECT_OK(pair.StartTown(town_config));
  EXPECT_OK(pair.StartVillage(village_config));
  Node& town = pair.town();
  Node& village = pair.village();
  const std::string scope = pair.village_unit();
  const crdt::NodeId vid = village.node_id();

  EXPECT_OK(WriteBacklog(village, 0, kBacklog));
  // Saturated: the first batch has been applied at the town, the next ones are on their way.
  if (!RunUntil(
          pair.io(), [&] { return SeqAt(town, scope, vid) >= 1; }, seconds(30))) {
    ADD_FAILURE() << "the backlog never started to arrive";
    return out;
  }
  for (int i = 0; i < reports; ++i) {
    Crossing c;
    c.written = SeqAt(town, scope, vid);
    auto report = WriteReport(village, "r" + std::to_string(i));
    if (!report.ok()) {
      ADD_FAILURE() << report.status().ToString();
      return out;
    }
    c.seq = report->seq;
    bool held = false, acked = false;
    const bool done = RunUntil(
        pair.io(),
        [&] {
          if (!held && Holds(town, *report)) {
            held = true;
            c.held = SeqAt(town, scope, vid);
            // Held ahead of the backlog's gap, the report is already in the town's state.
            auto state = town.store().Get(report->key);
            EXPECT_TRUE(state.ok() && state->has_value())
                << "report " << i << " is held at the town but not visible in its state";
          }
          auto left = village.store().Outbox(kUpstreamOutbox);
          acked = left.ok() && left->empty();
          return held && acked;
        },
        seconds(30), milliseconds(1));
    if (!done) {
      ADD_FAILURE() << "report " << i << " held at the town: " << held
                    << ", acknowledged: " << acked;
      return out;
    }
    c.acked = SeqAt(town, scope, vid);
    std::printf(
        "%s report %d: backlog at the town %llu when written, %llu when held, %llu when "
        "acknowledged (of %d)\n",
        fifo ? "FIFO" : "priority", i, static_cast<unsigned long long>(c.written),
        static_cast<unsigned long long>(c.held), static_cast<unsigned long long>(c.acked),
        kBacklog);
    out.push_back(c);
  }
  EXPECT_GE(village.stats().urgent_acked, static_cast<uint64_t>(reports));

  std::string last;
  EXPECT_TRUE(RunUntil(
      pair.io(),
      [&] {
        last = Divergence({&town, &village}, kTypes);
        return last.empty();
      },
      seconds(45), milliseconds(20)))
      << "no convergence: " << last;
  for (int i = 0; i < reports; ++i) {
    auto r = town.store().Get({scope, "report", "r" + std::to_string(i)});
    EXPECT_TRUE(r.ok() && r->has_value()) << "r" << i;
  }
  EXPECT_EQ(SeqAt(town, scope, vid), static_cast<uint64_t>(kBacklog + reports));
  return out;
}

TEST(NetnsUrgentTest, ReportsOvertakeBulkSyncOnASaturated256kbitLink) {
  FULEI_SKIP_UNLESS_AVAILABLE(net::testing::NetnsUnavailableReason());
  constexpr int kReports = 3;
  const std::vector<Crossing> got = RunReports(/*fifo=*/false, kReports);
  ASSERT_EQ(got.size(), static_cast<size_t>(kReports));
  for (int i = 0; i < kReports; ++i) {
    const Crossing& c = got[static_cast<size_t>(i)];
    // Held and acknowledged while the backlog was still incomplete at the town ...
    EXPECT_LT(c.held, c.seq - 1) << "report " << i << " did not overtake the backlog";
    EXPECT_LT(c.acked, static_cast<uint64_t>(kBacklog))
        << "report " << i << " was acknowledged only after the backlog completed";
    // ... and without waiting behind a whole sync batch.
    EXPECT_LT(c.held - c.written, kBatch) << "report " << i << " waited behind a sync batch";
  }
}

// The control: with the classes switched off (net::LinkConfig::fifo) the same report waits
// behind the sync batches already queued, so the test above measures the scheduler.
TEST(NetnsUrgentTest, FifoControlWaitsBehindTheQueuedBatches) {
  FULEI_SKIP_UNLESS_AVAILABLE(net::testing::NetnsUnavailableReason());
  const std::vector<Crossing> got = RunReports(/*fifo=*/true, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GE(got[0].held - got[0].written, kBatch);
}

}  // namespace
}  // namespace fulei::node
