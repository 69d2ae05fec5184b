#include "programme/funds.h"

#include <map>
#include <utility>

#include "programme/schema.h"
#include "programme/validate.h"

namespace fulei::programme {
namespace {

int WorkIndex(std::string_view work) {
  const std::span<const EnumValue> works = WorkValues();
  for (size_t i = 0; i < works.size(); ++i) {
    if (works[i].code == work) return static_cast<int>(i);
  }
  return static_cast<int>(works.size());
}

void Add(FundLine& line, const FundEntry& e) {
  (e.spending ? line.spent_fen : line.allocated_fen) += e.fen;
}

}  // namespace

Result<FundEntry> ReadFund(const Fields& record) {
  FundEntry e;
  const std::string_view kind = OneOr(record, "kind");
  if (kind != "allocation" && kind != "spending") {
    return InvalidArgument("资金类型应为拨付或支出 / fund.kind must be allocation or spending");
  }
  e.spending = kind == "spending";
  e.work = std::string(OneOr(record, "work"));
  if (FindEnum(WorkValues(), e.work) == nullptr) {
    return InvalidArgument("所属工程无效 / fund.work is not one of the ten works");
  }
  e.unit = std::string(OneOr(record, "unit"));
  if (e.unit.empty()) return InvalidArgument("使用单位必填 / fund.unit is required");
  FULEI_ASSIGN_OR_RETURN(e.fen, ParseMoneyFen(OneOr(record, "amount")));
  return e;
}

FundSums SumFunds(std::span<const FundEntry> entries) {
  std::map<std::pair<std::string, int>, FundLine> unit_work;
  std::map<int, FundLine> work;
  std::map<std::string, FundLine> unit;
  FundSums out;
  for (const FundEntry& e : entries) {
    const int w = WorkIndex(e.work);
    FundLine& uw = unit_work[{e.unit, w}];
    uw.unit = e.unit;
    uw.work = e.work;
    Add(uw, e);
    FundLine& wl = work[w];
    wl.work = e.work;
    Add(wl, e);
    FundLine& ul = unit[e.unit];
    ul.unit = e.unit;
    Add(ul, e);
    Add(out.total, e);
  }
  for (auto& [k, line] : unit_work) out.by_unit_and_work.push_back(std::move(line));
  for (auto& [k, line] : work) out.by_work.push_back(std::move(line));
  for (auto& [k, line] : unit) out.by_unit.push_back(std::move(line));
  return out;
}

}  // namespace fulei::programme
