// Assistance given (assistance.h): the closed list of kinds, sums per village, town and city, and
// the pairing's printable contact card.
#include "programme/assistance.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

TEST(AssistanceTest, KindsAreAClosedListReadByCodeOrLabel) {
  EXPECT_EQ(AssistanceKindCode("money"), "money");
  EXPECT_EQ(AssistanceKindCode("物资"), "goods");
  EXPECT_EQ(AssistanceKindCode("书包"), "");
  ASSERT_OK_AND_ASSIGN(AssistanceEntry e, ParseAssistance("2026-06-01\t资金\t200.50\t学费"));
  EXPECT_EQ(e.kind, "money");
  EXPECT_TRUE(e.known_kind);
  ASSERT_TRUE(e.fen.has_value());
  EXPECT_EQ(*e.fen, 20050);
  ASSERT_OK_AND_ASSIGN(AssistanceEntry odd, ParseAssistance("2026-06-01\t书包\t\t"));
  EXPECT_EQ(odd.kind, "other");
  EXPECT_FALSE(odd.known_kind);
  EXPECT_FALSE(odd.fen.has_value());
  EXPECT_FALSE(ParseAssistance("2026-06-01 money 200").ok());
  EXPECT_FALSE(ParseAssistance("2026-06-01\tmoney\t1.234\t").ok());
}

TEST(AssistanceTest, SumsPerVillageTownAndCity) {
  const std::vector<PairingAssistance> pairings = {
      {"jinjiang/cizao/v001", {"2026-01-05\tmoney\t100\t", "2026-02-05\tgoods\t\t书包"}},
      {"jinjiang/cizao/v002", {"2026-03-01\tmoney\t50.5\t"}},
      {"jinjiang/cizao/~office", {"2026-03-02\tmedical\t1000\t"}},
      {"jinjiang/anhai/v001", {"2026-04-01\t书包\t20\t", "not an entry"}},
      {"jinjiang/anhai/v001", {"2025-12-31\tmoney\t999\t"}},
  };
  const AssistanceSums s = SumAssistance(pairings, Date{2026, 1, 1}, Date{2026, 12, 31});
  EXPECT_EQ(s.city.unit, "jinjiang");
  EXPECT_EQ(s.city.entries, 5);
  EXPECT_EQ(s.city.fen, 10000 + 5050 + 100000 + 2000);
  EXPECT_EQ(s.city.unreadable, 1);
  EXPECT_EQ(s.city.unknown_kind, 1);
  ASSERT_EQ(s.towns.size(), 2u);
  EXPECT_EQ(s.towns[0].unit, "jinjiang/anhai");
  EXPECT_EQ(s.towns[0].fen, 2000);
  EXPECT_EQ(s.towns[1].unit, "jinjiang/cizao");
  EXPECT_EQ(s.towns[1].entries, 4);
  EXPECT_EQ(s.towns[1].fen, 10000 + 5050 + 100000);
  EXPECT_EQ(s.towns[1].unit_records, 1);
  EXPECT_EQ(s.towns[1].fen_by_kind.at("medical"), 100000);
  ASSERT_EQ(s.villages.size(), 3u);
  EXPECT_EQ(s.villages[1].unit, "jinjiang/cizao/v001");
  EXPECT_EQ(s.villages[1].entries, 2);
  EXPECT_EQ(s.villages[1].fen, 10000);
  EXPECT_EQ(s.villages[1].entries_by_kind.at("goods"), 1);
  EXPECT_EQ(s.villages[2].fen, 5050);
}

TEST(AssistanceTest, ContactCardShowsChildHelperPhoneAndWhatIsDue) {
  const Fields pairing = {{"kind", {"family_care"}},
                          {"card_no", {"CZ-001"}},
                          {"start_date", {"2026-03-01"}},
                          {"card_needs", {"学习辅导"}},
                          {"card_plan", {"每周电话一次"}}};
  const Fields child = {{"name", {"王小明"}}};
  const Fields helper = {{"name", {"李爱心"}}, {"phone", {"13800000000"}}};
  const ContactCard card = MakeContactCard(pairing, child, helper);
  EXPECT_EQ(card.child_name, "王小明");
  EXPECT_EQ(card.helper_phone, "13800000000");
  EXPECT_EQ(card.pairing_kind, "亲情关爱");
  ASSERT_GE(card.due.size(), 2u);
  EXPECT_EQ(card.due[0], "每月至少谈心交流一次");
  const std::string text = card.ToText();
  EXPECT_NE(text.find("编号：CZ-001\n"), std::string::npos) << text;
  EXPECT_NE(text.find("儿童：王小明\n"), std::string::npos) << text;
  EXPECT_NE(text.find("联系电话：13800000000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("应做事项：每季度至少入户看望一次\n"), std::string::npos) << text;

  const ContactCard help = MakeContactCard({{"kind", {"assistance"}}}, child, helper);
  EXPECT_EQ(help.pairing_kind, "结对帮扶");
  ASSERT_EQ(help.due.size(), 1u);
  EXPECT_EQ(help.due[0].find("每月"), std::string::npos);
}

}  // namespace
}  // namespace fulei::programme
