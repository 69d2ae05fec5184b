#include "programme/category.h"

#include <algorithm>

namespace fulei::programme {
namespace {

enum class ParentClass { kPresent, kAway, kGone, kUnable, kNoCapacity, kPendingUnable, kUnknown };

struct ParentFacts {
  ParentClass cls = ParentClass::kUnknown;
  std::string line;  // evidence
};

Result<std::optional<Date>> OptDate(const Fields& f, const std::string& name) {
  auto v = One(f, name);
  if (!v) return std::optional<Date>();
  auto d = ParseDate(*v);
  if (!d.ok()) return InvalidArgument("child." + name + ": " + d.status().message());
  return std::optional<Date>(*d);
}

// Classifies one parent; adds to `review` the dates on which the class could change.
Result<ParentFacts> Classify(const Fields& f, const std::string& who, const Date& today,
                             std::vector<Date>& review) {
  ParentFacts p;
  const std::string status(OneOr(f, who + "_status", "unknown"));
  FULEI_ASSIGN_OR_RETURN(std::optional<Date> since, OptDate(f, who + "_status_since"));
  FULEI_ASSIGN_OR_RETURN(std::optional<Date> until, OptDate(f, who + "_status_until"));
  p.line = who + ": " + status;
  if (since) p.line += " since " + since->ToString();
  if (until) p.line += " until " + until->ToString();

  if (status == "present") {
    p.cls = ParentClass::kPresent;
  } else if (status == "working_away") {
    p.cls = ParentClass::kAway;
  } else if (status == "deceased" || status == "declared_missing") {
    p.cls = ParentClass::kGone;
  } else if (status == "severe_disability" || status == "serious_illness" ||
             status == "guardianship_revoked" || status == "deported") {
    p.cls = ParentClass::kUnable;
  } else if (status == "no_capacity") {
    p.cls = ParentClass::kNoCapacity;
  } else if (status == "lost_contact") {
    if (!since) {
      p.cls = ParentClass::kPendingUnable;
      p.line += " (start of lost contact not recorded: 6-month rule cannot be checked)";
    } else {
      const Date six = AddMonths(*since, 6);
      if (six <= today) {
        p.cls = ParentClass::kUnable;
        p.line += " (6 months reached " + six.ToString() + ")";
      } else {
        p.cls = ParentClass::kPendingUnable;
        p.line += " (6 months not reached until " + six.ToString() + ")";
        review.push_back(six);
      }
    }
  } else if (status == "imprisoned" || status == "compulsory_rehab" ||
             status == "other_restriction") {
    if (since && until) {
      if (AddMonths(*since, 6) <= *until) {
        p.cls = ParentClass::kUnable;
        p.line += " (term of 6 months or more)";
        if (*until > today) review.push_back(*until);
      } else {
        p.cls = ParentClass::kPendingUnable;
        p.line += " (term shorter than 6 months)";
        if (*until > today) review.push_back(*until);
      }
      if (*until < today) {
        p.cls = ParentClass::kPendingUnable;
        p.line += " (term ended: status needs updating)";
      }
    } else if (since) {
      const Date six = AddMonths(*since, 6);
      if (six <= today) {
        p.cls = ParentClass::kUnable;
        p.line += " (no end date; already lasting 6 months since " + six.ToString() + ")";
      } else {
        p.cls = ParentClass::kPendingUnable;
        p.line += " (no end date; 6 months not reached until " + six.ToString() + ")";
        review.push_back(six);
      }
    } else {
      p.cls = ParentClass::kPendingUnable;
      p.line += " (start not recorded: 6-month rule cannot be checked)";
    }
  } else {
    p.cls = ParentClass::kUnknown;
  }
  return p;
}

bool LacksCapacity(ParentClass c) {
  return c == ParentClass::kGone || c == ParentClass::kUnable || c == ParentClass::kNoCapacity ||
         c == ParentClass::kPendingUnable;
}

}  // namespace

Result<CategoryDerivation> DeriveCategory(const Fields& f, const Date& today) {
  CategoryDerivation d;
  std::vector<Date> review;
  review.push_back(AddMonths(today, 12));

  FULEI_ASSIGN_OR_RETURN(std::optional<Date> birth, OptDate(f, "birth_date"));
  FULEI_ASSIGN_OR_RETURN(ParentFacts father, Classify(f, "father", today, review));
  FULEI_ASSIGN_OR_RETURN(ParentFacts mother, Classify(f, "mother", today, review));
  const bool found_abandoned = OneOr(f, "found_abandoned") == "true";
  const std::vector<std::string>& difficulty = All(f, "difficulty");
  const std::string_view household = OneOr(f, "household");

  int age = -1;
  if (birth) {
    age = AgeOn(*birth, today);
    const Date at18 = AddMonths(*birth, 18 * 12);
    if (at18 > today) review.push_back(at18);
  }
  auto both = [&](auto pred) { return pred(father.cls) && pred(mother.cls); };
  auto parents = [&] { d.evidence = {father.line, mother.line}; };

  const auto gone = [](ParentClass c) { return c == ParentClass::kGone; };
  const auto unable = [](ParentClass c) { return c == ParentClass::kUnable; };
  const auto gone_or_unable = [](ParentClass c) {
    return c == ParentClass::kGone || c == ParentClass::kUnable;
  };

  if (both(gone)) {
    d.category = "orphan";
    parents();
  } else if (found_abandoned) {
    d.category = "abandoned";
    d.evidence = {"found_abandoned: birth parents cannot be found"};
  } else if (both(gone_or_unable) && (unable(father.cls) || unable(mother.cls))) {
    d.category = "de_facto_unsupported";
    parents();
  } else {
    const bool away_pair = (father.cls == ParentClass::kAway && mother.cls == ParentClass::kAway) ||
                           (father.cls == ParentClass::kAway && LacksCapacity(mother.cls)) ||
                           (mother.cls == ParentClass::kAway && LacksCapacity(father.cls));
    if (away_pair && household == "rural" && age >= 0 && age < 16) {
      d.category = "left_behind";
      parents();
      d.evidence.push_back("age " + std::to_string(age) + " (under 16), rural household");
      review.push_back(AddMonths(*birth, 16 * 12));
    } else if (!difficulty.empty()) {
      d.category = "in_difficulty";
      for (const std::string& x : difficulty) d.evidence.push_back("difficulty: " + x);
    } else {
      parents();
      if (away_pair && household != "rural") {
        d.evidence.push_back("parents away, but household is not recorded as rural");
      } else if (away_pair) {
        d.evidence.push_back("parents away, but age " + std::to_string(age) + " is not under 16");
      }
      d.evidence.push_back("no category's conditions are met");
    }
  }
  d.review_on = *std::min_element(review.begin(), review.end());
  return d;
}

}  // namespace fulei::programme
