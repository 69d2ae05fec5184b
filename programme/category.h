// Derivation of a child's category from the facts a children's director records, where the
// definitions the plan relies on allow it. docs/programme.md states the reading in full:
//   orphan (孤儿): both parents deceased or declared missing.
//   abandoned (弃婴): found_abandoned is true (birth parents cannot be found).
//   de_facto_unsupported (事实无人抚养儿童, 民发〔2019〕62号): both parents "unable to support",
//     or one deceased / declared missing and the other unable to support. Unable to support is:
//     severe disability, serious illness, guardianship revoked, deported; lost contact for at
//     least 6 months; imprisonment, compulsory rehabilitation or another restriction of liberty
//     with a term of at least 6 months (or, with no end date recorded, already lasting 6 months).
//   left_behind (农村留守儿童, 国发〔2016〕13号): under 16, rural household, both parents working
//     away, or one working away and the other deceased, missing or without guardianship capacity.
//   in_difficulty (困境儿童, 国发〔2016〕36号): any recorded difficulty (poverty, own disability or
//     serious illness, guardianship absent or inadequate).
// The first that applies, in this order, is the suggestion. A derivation is a suggestion with its
// evidence: a person confirms it by writing the category field. review_on is the earliest date on
// which the facts could change the answer (a 6-month mark, the end of a term, the 16th or 18th
// birthday), and at most a year away.
// Pure function; thread-safe.
#ifndef FULEI_PROGRAMME_CATEGORY_H_
#define FULEI_PROGRAMME_CATEGORY_H_

#include <optional>
#include <string>
#include <vector>

#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"

namespace fulei::programme {

struct CategoryDerivation {
  std::optional<std::string> category;  // code name, or nullopt when no definition applies
  std::vector<std::string> evidence;    // one line per fact used, e.g. "father: deceased"
  Date review_on;
};

// Reads birth_date, household, father_/mother_status(_since/_until), found_abandoned and
// difficulty from a child's fields. kInvalidArgument naming the field when one is malformed.
Result<CategoryDerivation> DeriveCategory(const Fields& child, const Date& today);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_CATEGORY_H_
