// "福彩助学" survey (摸底报送): children in difficulty and orphans aged 14 or over with junior or
// senior high schooling (年满14周岁且具有初、高中学历) may study elder care at the provincial
// civil-affairs school for 1–3 years free of charge; the city surveys the candidates and submits
// the list.
//
// Reading (docs/programme.md, "福彩助学 survey"):
//   - category in_difficulty and orphan (the plan), and also de_facto_unsupported (a group of
//     children in difficulty under 民发〔2019〕62号) and abandoned (a child whose birth parents
//     cannot be found is an orphan by definition) — this project's reading;
//   - age 14 or over on `today` (年满14周岁: the plan); under 18 (this project's reading: the
//     programme serves children, and at 18 a record ages out);
//   - schooling follows what the child has completed, not only where the child is now: the
//     child's `schooling_completed` is junior_high, senior_high or vocational (basis kCompleted),
//     whatever the child does now — a 15-year-old who finished 初中 and left school is eligible;
//     or, with nothing completed recorded at that level, the child attends junior_high,
//     senior_high or vocational now (basis kAttending: a child in 高中/中职 has finished 初中; one
//     in 初中 is listed ahead of finishing it, and the school checks the diploma). A child whose
//     highest completed schooling is college, or who attends college, is not a candidate;
//   - records transferred away are skipped (their new unit lists them).
// The survey lists every candidate with the wish recorded ("yes", "no", "undecided" or "" when not
// yet asked); the list to submit holds those whose wish is "yes".
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_RULES_STUDY_AID_H_
#define FULEI_PROGRAMME_RULES_STUDY_AID_H_

#include <span>
#include <vector>

#include "programme/date.h"
#include "programme/records.h"

namespace fulei::programme {

inline constexpr int kStudyAidMinAge = 14;  // the plan: 年满14周岁
inline constexpr int kStudyAidMaxAge = 17;  // this project's reading: under 18

// Why the child's schooling qualifies.
enum class StudyAidBasis { kNone, kCompleted, kAttending };

struct StudyAidCandidate {
  Child child;
  int age = 0;
  StudyAidBasis basis = StudyAidBasis::kNone;
};

// The schooling condition alone (see the header comment).
StudyAidBasis StudyAidSchooling(const Child& child);
// True when the child meets every condition except the wish.
bool StudyAidEligible(const Child& child, const Date& today);
// Category, schooling and not transferred away: every condition except age and wish (the
// aggregation keeps these by birth date and applies the age when read).
bool StudyAidEligibleExceptAge(const Child& child);

// Candidates sorted by scope then id. only_willing: only those whose wish is "yes".
std::vector<StudyAidCandidate> StudyAidSurvey(std::span<const Child> children, const Date& today,
                                              bool only_willing);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RULES_STUDY_AID_H_
