// Pilot and rollout (pilot.h): the plan's three pilot units and the split of per-unit counts.
#include "programme/pilot.h"

#include <gtest/gtest.h>

namespace fulei::programme {
namespace {

TEST(PilotTest, ThePlansThreePilotUnitsAndWhatLiesBelowThem) {
  EXPECT_TRUE(IsPilotUnit("jinjiang/cizao"));
  EXPECT_TRUE(IsPilotUnit("jinjiang/chidian/v003"));
  EXPECT_TRUE(IsPilotUnit("jinjiang/xiyuan/~office"));
  EXPECT_FALSE(IsPilotUnit("jinjiang/anhai/v001"));
  EXPECT_FALSE(IsPilotUnit("jinjiang/cizaox"));
  EXPECT_FALSE(IsPilotUnit("jinjiang"));
  EXPECT_EQ(TownPath("jinjiang/cizao/v001"), "jinjiang/cizao");
  EXPECT_EQ(TownPath("jinjiang"), "");
  EXPECT_EQ(StageZh(Stage::kRollout), "全面推开");
}

TEST(PilotTest, SplitsCountsByPilotAndStage) {
  const UnitCount counts[] = {
      {"jinjiang/cizao/v001", 3}, {"jinjiang/chidian", 2},      {"jinjiang/anhai/v002", 5},
      {"jinjiang/anhai/v003", 1}, {"jinjiang/chendai/v001", 7}, {"jinjiang", 4},
  };
  const PilotSplit s = SplitByPilot(counts);
  EXPECT_EQ(s.pilot, 5);
  EXPECT_EQ(s.not_pilot, 13);
  EXPECT_EQ(s.city_own, 4);
  EXPECT_EQ(s.by_stage[0], 5);
  EXPECT_EQ(s.by_stage[1], 13);
  EXPECT_EQ(s.by_stage[2], 0);

  const StageTable table = {{"jinjiang/cizao", Stage::kConsolidation},
                            {"jinjiang/chendai", Stage::kPilot}};
  const PilotSplit t = SplitByPilot(counts, table);
  EXPECT_EQ(t.pilot, 5);  // the pilot flag is the plan's, whatever the stage
  EXPECT_EQ(t.by_stage[static_cast<size_t>(Stage::kPilot)], 2 + 7);
  EXPECT_EQ(t.by_stage[static_cast<size_t>(Stage::kRollout)], 6);
  EXPECT_EQ(t.by_stage[static_cast<size_t>(Stage::kConsolidation)], 3);
}

}  // namespace
}  // namespace fulei::programme
