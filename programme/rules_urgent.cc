#include "programme/rules_urgent.h"

#include <algorithm>
#include <tuple>

namespace fulei::programme {

std::vector<UrgentOverdue> OverdueUrgentCases(std::span<const UrgentCase> cases, int64_t now) {
  std::vector<UrgentOverdue> out;
  for (const UrgentCase& c : cases) {
    if (c.acknowledged_at || c.closed) continue;
    const int64_t deadline = c.deadline();
    if (now < deadline) continue;  // at the deadline itself the time is up
    out.push_back(UrgentOverdue{c.scope, c.type, c.id, deadline, (now - deadline) / 60});
  }
  std::sort(out.begin(), out.end(), [](const UrgentOverdue& a, const UrgentOverdue& b) {
    return std::tie(a.deadline, a.scope, a.type, a.id) <
           std::tie(b.deadline, b.scope, b.type, b.id);
  });
  return out;
}

std::optional<int64_t> MedianAckMinutes(std::span<const UrgentCase> cases) {
  std::vector<int64_t> minutes;
  for (const UrgentCase& c : cases) {
    if (c.acknowledged_at) {
      minutes.push_back(std::max<int64_t>(0, (*c.acknowledged_at - c.reported_at) / 60));
    }
  }
  if (minutes.empty()) return std::nullopt;
  const size_t mid = (minutes.size() - 1) / 2;
  std::nth_element(minutes.begin(), minutes.begin() + static_cast<std::ptrdiff_t>(mid),
                   minutes.end());
  return minutes[mid];
}

}  // namespace fulei::programme
