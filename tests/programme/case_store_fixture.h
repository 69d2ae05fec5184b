// A city node's store holding urgent cases, for the tests of escalation.h and urgent_actions.h.
// Filed at 10:00 Jinjiang time (02:00 UTC): report r1 (due after 30 minutes) and help request
// h1 (10 minutes) in village kV1; r2 already acknowledged, r3 closed, r4 in another town's
// village kV2, r5 with its own 15-minute deadline.
#ifndef FULEI_TESTS_PROGRAMME_CASE_STORE_FIXTURE_H_
#define FULEI_TESTS_PROGRAMME_CASE_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "crdt/hlc.h"
#include "crdt/record.h"
#include "programme/date.h"
#include "store/store.h"
#include "tests/store/test_util.h"
#include "tests/support/status_matchers.h"

namespace fulei::programme::testing {

using ::fulei::testing::TempDir;
using store::testing::Set;

inline int64_t T(const char* text) { return *ParseTime(text); }

inline const std::string kV1 = "jinjiang/cizao/v001";
inline const std::string kV2 = "jinjiang/chidian/v002";
inline const crdt::RecordKey kR1{kV1, "report", "r1"};
inline const crdt::RecordKey kH1{kV1, "help_request", "h1"};

class CaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    store::StoreOptions options;
    options.node_id = 1;  // the city node
    options.reserve_bytes = 0;
    auto st = store::Store::Open(dir_.path(), options);
    ASSERT_OK(st);
    store_ = std::move(*st);
    // Filed at 10:00 (02:00 UTC): report r1 due 10:30, help request h1 due 10:10; r2 already
    // acknowledged, r3 closed, r4 in another town, r5 with its own 15-minute deadline.
    Write({{kR1, {Set("reported_at", "2026-11-29T02:00:00Z"), Set("harm", "abuse")}, "u-dir", 0},
           {kH1, {Set("reported_at", "2026-11-29T02:00:00Z"), Set("channel", "watch")}, "u-dir", 0},
           {{kV1, "report", "r2"},
            {Set("reported_at", "2026-11-29T02:00:00Z"),
             crdt::AppendWrite("acks", "2026-11-29T02:05:00Z\tu-7\tjinjiang/cizao")},
            "u-dir",
            0},
           {{kV1, "report", "r3"},
            {Set("reported_at", "2026-11-29T02:00:00Z"), Set("status", "closed")},
            "u-dir",
            0},
           {{kV2, "report", "r4"}, {Set("reported_at", "2026-11-29T02:00:00Z")}, "u-dir2", 0},
           {{kV1, "report", "r5"},
            {Set("reported_at", "2026-11-29T02:00:00Z"), Set("ack_deadline_minutes", "15")},
            "u-dir",
            0}});
  }

  std::vector<crdt::Op> Write(std::vector<store::LocalChange> changes) {
    auto ops = store_->WriteLocal(changes, clock_, wall_ms_ += 1000);
    EXPECT_OK(ops);
    return ops.ok() ? *ops : std::vector<crdt::Op>{};
  }

  crdt::RecordState Get(const crdt::RecordKey& key) {
    auto s = store_->Get(key);
    EXPECT_OK(s);
    if (!s.ok()) return crdt::RecordState{};
    EXPECT_TRUE(s->has_value()) << "no record " << key.type << "/" << key.id;
    return s->has_value() ? **s : crdt::RecordState{};
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  crdt::HybridClock clock_;
  uint64_t wall_ms_ = 1'764'381'600'000;
};

}  // namespace fulei::programme::testing

#endif  // FULEI_TESTS_PROGRAMME_CASE_STORE_FIXTURE_H_
