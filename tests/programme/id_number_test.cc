#include "programme/id_number.h"

#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace fulei::programme {
namespace {

TEST(IdNumberTest, AcceptsTheStandardExampleWithCheckX) {
  // The worked example of GB 11643-1999.
  auto info = ParseIdNumber("11010519491231002x");
  ASSERT_OK(info);
  EXPECT_EQ(info->normalised, "11010519491231002X");
  EXPECT_EQ(info->birth, (Date{1949, 12, 31}));
  EXPECT_EQ(info->gender, Gender::kFemale);
  EXPECT_EQ(info->region, "110105");
}

TEST(IdNumberTest, ExtractsBirthAndGender) {
  auto info = ParseIdNumber("350582201503121238");
  ASSERT_OK(info);
  EXPECT_EQ(info->birth, (Date{2015, 3, 12}));
  EXPECT_EQ(info->gender, Gender::kMale);  // sequence 123: odd
}

TEST(IdNumberTest, RejectsBadCheckDigitNamingBoth) {
  auto info = ParseIdNumber("350582201503121235");
  ASSERT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(info.status().message(), "checksum digit is 5, expected 8");
}

TEST(IdNumberTest, RejectsImpossibleEmbeddedDateAndBadShape) {
  EXPECT_NE(ParseIdNumber("350582201002290017").status().message().find("not a calendar date"),
            std::string::npos);
  EXPECT_EQ(ParseIdNumber("35058220150312123").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseIdNumber("3505822015031212A8").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseIdNumber("35058220150312123Y").status().code(), StatusCode::kInvalidArgument);
}

TEST(IdNumberTest, EveryWrongCheckCharIsRejected) {
  const std::string base = "35058220150312123";
  const char good = IdNumberCheckChar(base);
  for (char c : std::string("0123456789X")) {
    EXPECT_EQ(ParseIdNumber(base + c).ok(), c == good) << c;
  }
}

}  // namespace
}  // namespace fulei::programme
