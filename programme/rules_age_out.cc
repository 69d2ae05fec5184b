#include "programme/rules_age_out.h"

namespace fulei::programme {
namespace {

bool InSchool(std::string_view level) {
  return level == "junior_high" || level == "senior_high" || level == "vocational" ||
         level == "college" || level == "special" || level == "primary";
}

}  // namespace

Date EighteenthBirthday(const Date& birth) {
  Date d{birth.year + 18, birth.month, birth.day};
  if (!IsValidDate(d.year, d.month, d.day)) d = Date{d.year, 3, 1};  // Feb 29 in a common year
  return d;
}

std::vector<AgeOutFlag> AgeOutFlags(std::span<const Child> children, const Date& today) {
  std::vector<AgeOutFlag> out;
  for (const Child& c : children) {
    if (!c.moved_to.empty() || c.programme_status == "closed") continue;
    const Date at18 = EighteenthBirthday(c.birth);
    if (today < at18) continue;
    AgeOutFlag f;
    f.scope = c.scope;
    f.child = c.id;
    f.turned_18 = at18;
    f.status = c.category == "de_facto_unsupported" && InSchool(c.school_level)
                   ? "in_school_extension"
                   : "aged_out";
    f.needs_update = c.programme_status != f.status;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace fulei::programme
