// "福彩助学" survey (摸底报送): children in difficulty and orphans aged 14 or over with junior or
// senior high schooling may study elder care at the provincial civil-affairs school for 1–3 years
// free of charge; the city surveys the candidates and submits the list.
//
// Reading (docs/programme.md): categories in_difficulty and orphan, and also de_facto_unsupported
// (a group of children in difficulty under 民发〔2019〕62号) and abandoned (a child whose birth
// parents cannot be found is an orphan by definition); age 14 or over on `today` and under 18;
// school_level junior_high, senior_high or vocational (the system records the current level; the
// school checks the diploma). Records transferred away are skipped (their new unit lists them).
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

struct StudyAidCandidate {
  Child child;
  int age = 0;
};

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
