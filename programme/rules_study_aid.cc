#include "programme/rules_study_aid.h"

#include <algorithm>
#include <tuple>

namespace fulei::programme {

bool StudyAidEligibleExceptAge(const Child& c) {
  if (!c.moved_to.empty()) return false;
  const bool category = c.category == "in_difficulty" || c.category == "orphan" ||
                        c.category == "de_facto_unsupported" || c.category == "abandoned";
  const bool schooling = c.school_level == "junior_high" || c.school_level == "senior_high" ||
                         c.school_level == "vocational";
  return category && schooling;
}

bool StudyAidEligible(const Child& c, const Date& today) {
  const int age = AgeOn(c.birth, today);
  return StudyAidEligibleExceptAge(c) && age >= 14 && age < 18;
}

std::vector<StudyAidCandidate> StudyAidSurvey(std::span<const Child> children, const Date& today,
                                              bool only_willing) {
  std::vector<StudyAidCandidate> out;
  for (const Child& c : children) {
    if (!StudyAidEligible(c, today)) continue;
    if (only_willing && c.study_aid_wish != "yes") continue;
    out.push_back(StudyAidCandidate{c, AgeOn(c.birth, today)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.child.scope, a.child.id) < std::tie(b.child.scope, b.child.id);
  });
  return out;
}

}  // namespace fulei::programme
