// The record types of the schema (programme/schema.h): which fields protect the person who
// reported.
#include "programme/schema.h"

#include <gtest/gtest.h>

namespace fulei::programme {
namespace {

TEST(SchemaTest, ReportIdentityFieldsAreRestrictedAndNamed) {
  for (const char* type : {"report", "help_request"}) {
    for (const FieldSpec& f : FindRecordType(type)->fields) {
      if (f.identity) {
        EXPECT_EQ(f.sensitivity, Sensitivity::kRestricted) << f.name;
      }
    }
  }
  for (const char* name :
       {"reporter_name", "reporter_org", "reporter_phone", "police_reported_by"}) {
    EXPECT_TRUE(FindRecordType("report")->Find(name)->identity) << name;
  }
  for (const char* name : {"requester_name", "requester_phone", "police_reported_by"}) {
    EXPECT_TRUE(FindRecordType("help_request")->Find(name)->identity) << name;
  }
  EXPECT_FALSE(FindRecordType("report")->Find("reporter_role")->identity);
}

}  // namespace
}  // namespace fulei::programme
