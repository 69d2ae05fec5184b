#include "programme/duplicates.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "programme/pinyin.h"

namespace fulei::programme {

std::string_view DuplicateReasonName(DuplicateReason r) {
  switch (r) {
    case DuplicateReason::kSameIdNumber:
      return "same_id_number";
    case DuplicateReason::kSameNameAndBirth:
      return "same_name_and_birth_date";
    case DuplicateReason::kHomophoneAndBirth:
      return "homophone_name_and_birth_date";
  }
  return "unknown";
}

std::vector<DuplicateCandidate> FindDuplicates(std::span<const Child> children) {
  std::unordered_map<std::string, std::vector<size_t>> by_id, by_name, by_pinyin;
  for (size_t i = 0; i < children.size(); ++i) {
    const Child& c = children[i];
    if (!c.moved_to.empty()) continue;
    if (!c.id_number.empty()) by_id[c.id_number].push_back(i);
    const std::string birth = c.birth.ToString();
    const std::string name = NormaliseName(c.name);
    if (!name.empty()) by_name[name + '\x1f' + birth].push_back(i);
    NamePinyin py = NameToPinyin(c.name);
    if (py.complete) by_pinyin[py.key + '\x1f' + birth].push_back(i);
  }
  std::map<std::pair<size_t, size_t>, DuplicateReason> pairs;
  auto add = [&](const std::unordered_map<std::string, std::vector<size_t>>& groups,
                 DuplicateReason reason) {
    for (const auto& [key, members] : groups) {
      for (size_t x = 0; x < members.size(); ++x) {
        for (size_t y = x + 1; y < members.size(); ++y) {
          auto [it, inserted] = pairs.emplace(std::pair(members[x], members[y]), reason);
          if (!inserted && reason < it->second) it->second = reason;
        }
      }
    }
  };
  add(by_id, DuplicateReason::kSameIdNumber);
  add(by_name, DuplicateReason::kSameNameAndBirth);
  add(by_pinyin, DuplicateReason::kHomophoneAndBirth);
  std::vector<DuplicateCandidate> out;
  out.reserve(pairs.size());
  for (const auto& [ab, reason] : pairs)
    out.push_back(DuplicateCandidate{ab.first, ab.second, reason});
  return out;
}

}  // namespace fulei::programme
