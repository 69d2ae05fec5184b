// Referrals (转介) to the police, procuratorate, court, youth league and others, and legal
// consultations (法律咨询), counted with their follow-up state (司法援助工程).
//
// Contract: a referral is closed when its status is "closed" or it has closed_on; a legal
// consultation when it has closed_on. An open one is overdue when its follow_up_due is before
// `today`; an open one without follow_up_due is counted in `no_follow_up_date`. Referrals are
// counted per target (referral.to, in the order of schema.h ReferralToValues(); every target is
// listed, zero or not); a target outside the list is counted under "other". Pure function;
// thread-safe.
#ifndef FULEI_PROGRAMME_REFERRALS_H_
#define FULEI_PROGRAMME_REFERRALS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "programme/date.h"
#include "programme/fields.h"

namespace fulei::programme {

struct FollowUpCount {
  std::string what;  // a referral target code, or "legal_consultation"
  int64_t total = 0;
  int64_t closed = 0;
  int64_t open = 0;
  int64_t overdue = 0;
  int64_t no_follow_up_date = 0;

  friend bool operator==(const FollowUpCount&, const FollowUpCount&) = default;
};

struct ReferralCounts {
  std::vector<FollowUpCount> by_target;
  FollowUpCount all_referrals;
  FollowUpCount legal_consultations;
};

ReferralCounts CountReferrals(std::span<const Fields> referrals,
                              std::span<const Fields> consultations, const Date& today);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_REFERRALS_H_
