// Age-out at 18: a child who turns 18 leaves the children's programme. Records are flagged (the
// programme_status field), never deleted: the history stays for audit and for the national system.
//
// Exception (docs/programme.md): a de_facto_unsupported child who is 18 or over and still in
// school (school_level primary, junior_high, senior_high, vocational, college or special) keeps
// support
// while in school: status in_school_extension instead of aged_out.
// AgeOutFlags lists every child of 18 or over with the status the record should carry and whether
// the record already carries it (the caller writes programme_status where it does not).
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_RULES_AGE_OUT_H_
#define FULEI_PROGRAMME_RULES_AGE_OUT_H_

#include <span>
#include <string>
#include <vector>

#include "programme/date.h"
#include "programme/records.h"

namespace fulei::programme {

struct AgeOutFlag {
  std::string scope;
  std::string child;
  Date turned_18;
  std::string status;         // "aged_out" or "in_school_extension"
  bool needs_update = false;  // the record's programme_status differs
};

// The 18th birthday (a child born on Feb 29 turns 18 on Mar 1 in a common year).
Date EighteenthBirthday(const Date& birth);

std::vector<AgeOutFlag> AgeOutFlags(std::span<const Child> children, const Date& today);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_RULES_AGE_OUT_H_
