#include "programme/referrals.h"

#include "programme/schema.h"

namespace fulei::programme {
namespace {

void Count(FollowUpCount& c, const Fields& f, bool closed, const Date& today) {
  ++c.total;
  if (closed) {
    ++c.closed;
    return;
  }
  ++c.open;
  Result<Date> due = ParseDate(OneOr(f, "follow_up_due"));
  if (!due.ok()) {
    ++c.no_follow_up_date;
  } else if (*due < today) {
    ++c.overdue;
  }
}

}  // namespace

ReferralCounts CountReferrals(std::span<const Fields> referrals,
                              std::span<const Fields> consultations, const Date& today) {
  ReferralCounts out;
  const std::span<const EnumValue> targets = ReferralToValues();
  for (const EnumValue& t : targets) out.by_target.push_back(FollowUpCount{std::string(t.code)});
  out.all_referrals.what = "referral";
  out.legal_consultations.what = std::string(kLegalConsultation);
  for (const Fields& r : referrals) {
    const bool closed = OneOr(r, "status") == "closed" || !OneOr(r, "closed_on").empty();
    const std::string_view to = OneOr(r, "to");
    size_t index = targets.size();
    size_t other = targets.size();
    for (size_t i = 0; i < targets.size(); ++i) {
      if (targets[i].code == to) index = i;
      if (targets[i].code == "other") other = i;
    }
    if (index == targets.size()) index = other;
    if (index < out.by_target.size()) Count(out.by_target[index], r, closed, today);
    Count(out.all_referrals, r, closed, today);
  }
  for (const Fields& c : consultations) {
    Count(out.legal_consultations, c, !OneOr(c, "closed_on").empty(), today);
  }
  return out;
}

}  // namespace fulei::programme
