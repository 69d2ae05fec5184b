#include "programme/rules_study_aid.h"

#include <algorithm>
#include <string_view>
#include <tuple>

namespace fulei::programme {
namespace {

bool SecondaryLevel(std::string_view level) {
  return level == "junior_high" || level == "senior_high" || level == "vocational";
}

}  // namespace

StudyAidBasis StudyAidSchooling(const Child& c) {
  if (SecondaryLevel(c.schooling_completed)) return StudyAidBasis::kCompleted;
  if (c.schooling_completed == "college") return StudyAidBasis::kNone;
  if (SecondaryLevel(c.school_level)) return StudyAidBasis::kAttending;
  return StudyAidBasis::kNone;
}

bool StudyAidEligibleExceptAge(const Child& c) {
  if (!c.moved_to.empty()) return false;
  const bool category = c.category == "in_difficulty" || c.category == "orphan" ||
                        c.category == "de_facto_unsupported" || c.category == "abandoned";
  return category && StudyAidSchooling(c) != StudyAidBasis::kNone;
}

bool StudyAidEligible(const Child& c, const Date& today) {
  const int age = AgeOn(c.birth, today);
  return StudyAidEligibleExceptAge(c) && age >= kStudyAidMinAge && age <= kStudyAidMaxAge;
}

std::vector<StudyAidCandidate> StudyAidSurvey(std::span<const Child> children, const Date& today,
                                              bool only_willing) {
  std::vector<StudyAidCandidate> out;
  for (const Child& c : children) {
    if (!StudyAidEligible(c, today)) continue;
    if (only_willing && c.study_aid_wish != "yes") continue;
    out.push_back(StudyAidCandidate{c, AgeOn(c.birth, today), StudyAidSchooling(c)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.child.scope, a.child.id) < std::tie(b.child.scope, b.child.id);
  });
  return out;
}

}  // namespace fulei::programme
