// Duplicate detection across villages: the same child registered twice (two villages, or after a
// move that was entered as a new record rather than a transfer).
//
// Two child records are candidates when they have the same ID number; or the same name (Hanzi,
// after removing spaces and middle dots) and the same birth date; or the same complete toneless
// pinyin and the same birth date (homophones: 王晓明 / 王小明). Each pair is reported once, with
// the strongest reason. Candidates are only shown to a person to decide: nothing is ever merged
// here. Records that are redirects (transferred away) are skipped.
// Pure function; thread-safe. Indexes refer into the input span.
#ifndef FULEI_PROGRAMME_DUPLICATES_H_
#define FULEI_PROGRAMME_DUPLICATES_H_

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "programme/records.h"

namespace fulei::programme {

enum class DuplicateReason {
  kSameIdNumber,  // strongest
  kSameNameAndBirth,
  kHomophoneAndBirth,  // same pinyin, different Hanzi
};

std::string_view DuplicateReasonName(DuplicateReason r);  // "same_id_number", ...

struct DuplicateCandidate {
  size_t a = 0;  // index into the input, a < b
  size_t b = 0;
  DuplicateReason reason = DuplicateReason::kSameIdNumber;
};

// Sorted by (a, b).
std::vector<DuplicateCandidate> FindDuplicates(std::span<const Child> children);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_DUPLICATES_H_
