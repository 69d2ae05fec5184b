// LocalWriter (sync/local_writer.h): a node's own ops, durable with the clock's high-water mark.
#include "sync/local_writer.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync {
namespace {

using testing::kVillage;
using LocalWriterTest = testing::SyncTest;

TEST_F(LocalWriterTest, LocalWritesPersistTheClockHighWater) {
  auto& village = AddNode(kVillage, crypto::Role::kVillage);
  auto ops = village.Set(kVillage, "child", "c1", "name", "x");
  ASSERT_EQ(ops.size(), 1u);
  auto hw = village.store->HlcHighWater();
  ASSERT_OK(hw);
  EXPECT_GE(*hw, ops[0].stamp);
  Reopen(village);
  hw = village.store->HlcHighWater();
  ASSERT_OK(hw);
  EXPECT_GE(*hw, ops[0].stamp);
}

}  // namespace
}  // namespace fulei::sync
