// Ring-fenced funds (专项资金): allocations and spending summed per work (the plan's ten works,
// schema.h WorkValues) and per unit, from fund records.
//
// Contract: a fund record (schema "fund") has kind allocation|spending, work, unit, amount (yuan).
// ReadFund decodes one (a record that does not decode is an error: validation refuses it).
// SumFunds adds the amounts in fen per (unit, work), per work over all units and per unit over all
// works; a line is overspent when spending exceeds the allocation. Lines are sorted by unit, then
// by the order of the ten works. Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_FUNDS_H_
#define FULEI_PROGRAMME_FUNDS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crdt/status.h"
#include "programme/fields.h"

namespace fulei::programme {

struct FundEntry {
  std::string unit;
  std::string work;  // a WorkValues() code
  bool spending = false;
  int64_t fen = 0;
};

Result<FundEntry> ReadFund(const Fields& record);

struct FundLine {
  std::string unit;  // "" in the per-work lines
  std::string work;  // "" in the per-unit lines
  int64_t allocated_fen = 0;
  int64_t spent_fen = 0;
  int64_t BalanceFen() const { return allocated_fen - spent_fen; }
  bool Overspent() const { return spent_fen > allocated_fen; }
};

struct FundSums {
  std::vector<FundLine> by_unit_and_work;
  std::vector<FundLine> by_work;  // in the order of the ten works; works with no entry left out
  std::vector<FundLine> by_unit;  // sorted by unit
  FundLine total;
};

FundSums SumFunds(std::span<const FundEntry> entries);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_FUNDS_H_
