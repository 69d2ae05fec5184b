// Overdue urgent cases and acknowledgement times (programme/rules_urgent.h).
#include "programme/rules_urgent.h"

#include <gtest/gtest.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "programme/date.h"

namespace fulei::programme {
namespace {

UrgentCase Case(std::string id, const char* reported, std::optional<const char*> acked = {},
                int64_t deadline_minutes = 120, bool closed = false) {
  UrgentCase c;
  c.scope = "jinjiang/cizao/v001";
  c.type = "report";
  c.id = std::move(id);
  c.reported_at = *ParseTime(reported);
  c.deadline_minutes = deadline_minutes;
  if (acked) c.acknowledged_at = *ParseTime(*acked);
  c.closed = closed;
  return c;
}

TEST(UrgentTest, OverdueAtTheDeadlineEdgeAndMedian) {
  std::vector<UrgentCase> cases{
      Case("r1", "2026-11-29T08:00:00Z"),                          // due 10:00
      Case("r2", "2026-11-29T09:00:00Z", {}, 30),                  // due 09:30
      Case("r3", "2026-11-29T07:00:00Z", "2026-11-29T07:20:59Z"),  // acknowledged: 20 min
      Case("r4", "2026-11-29T06:00:00Z", {}, 120, true),           // closed
      Case("r5", "2026-11-29T07:00:00Z", "2026-11-29T07:45:00Z"),  // 45 min
  };
  // A second before 10:00 r1 is not yet overdue; r2 is 29 minutes over.
  auto before10 = OverdueUrgentCases(cases, *ParseTime("2026-11-29T09:59:59Z"));
  ASSERT_EQ(before10.size(), 1u);
  EXPECT_EQ(before10[0].id, "r2");
  EXPECT_EQ(before10[0].minutes_overdue, 29);
  // At exactly 10:00 r1's time is up (overdue by 0 minutes), as escalation.h flags it.
  auto later = OverdueUrgentCases(cases, *ParseTime("2026-11-29T10:00:00Z"));
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[0].id, "r2");  // earliest deadline first
  EXPECT_EQ(later[1].id, "r1");
  EXPECT_EQ(later[1].minutes_overdue, 0);
  EXPECT_EQ(MedianAckMinutes(cases), 20);  // lower median of {20, 45}
  EXPECT_FALSE(MedianAckMinutes(std::span<const UrgentCase>()).has_value());
}

}  // namespace
}  // namespace fulei::programme
