// Assistance given under a pairing (结对帮扶, the pairing's `assistance` log): its closed list of
// kinds, sums per village, town and city, and the printable contact card (困难帮扶联系卡, 证卡).
//
// Contract: an assistance entry is "YYYY-MM-DD\tkind\tamount\tnote" (validate.h kAssistance);
// its kind is one of AssistanceKindValues(), written as the code ("money") or the Chinese label
// ("资金"). Validation (validate.h ValidateValue, and so write_policy.h CheckChange and the
// import) refuses a new entry of any other kind, saying why in Chinese and English. Reading
// stays tolerant: an entry stored before the list was closed is still valid where it is
// (ValidateOptions::stored), and ParseAssistance reads its kind as "other", counted in
// `unknown_kind`. Amounts are yuan, summed in fen; an entry without an
// amount counts as an entry only. A pairing's scope decides where its entries count:
// "city/town/village[/...]" for that village (and its town and the city), a town's or the
// city's own or office scope for that unit only (in `unit_records`, as rollup.h does).
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_ASSISTANCE_H_
#define FULEI_PROGRAMME_ASSISTANCE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/schema.h"

namespace fulei::programme {

// money 资金, goods 物资, study 助学, medical 医疗, job 就业帮扶, service 关爱服务, other 其他.
std::span<const EnumValue> AssistanceKindValues();
// The kind's code for a code or a Chinese label; "" when it is not in the list.
std::string_view AssistanceKindCode(std::string_view kind);

struct AssistanceEntry {
  Date date;
  std::string kind;  // the code ("other" for a kind not in the list)
  bool known_kind = true;
  std::optional<int64_t> fen;
  std::string note;
};

// Parses one entry (no check against today: validation does that).
Result<AssistanceEntry> ParseAssistance(std::string_view entry);

struct AssistanceTotals {
  std::string unit;
  int64_t entries = 0;
  int64_t fen = 0;
  int64_t unknown_kind = 0;
  int64_t unreadable = 0;    // entries that do not parse (never valid; not summed)
  int64_t unit_records = 0;  // entries held at the unit's own or office scope
  std::map<std::string, int64_t> entries_by_kind;
  std::map<std::string, int64_t> fen_by_kind;
};

struct AssistanceSums {
  std::vector<AssistanceTotals> villages;  // sorted by unit path
  std::vector<AssistanceTotals> towns;     // sorted by unit path
  AssistanceTotals city;
};

// One pairing's entries and the scope it lives in.
struct PairingAssistance {
  std::string scope;
  std::vector<std::string> entries;
};

// Sums the entries dated in [from, to] (either bound optional).
AssistanceSums SumAssistance(std::span<const PairingAssistance> pairings,
                             std::optional<Date> from = std::nullopt,
                             std::optional<Date> to = std::nullopt);

// The contact card of one pairing, to print and hand to the family.
struct ContactCard {
  std::string card_no;
  std::string child_name;
  std::string helper_name;
  std::string helper_phone;
  std::string pairing_kind;  // Chinese label
  std::string start_date;
  std::string needs;
  std::string plan;
  std::vector<std::string> due;  // what the helper owes the child, Chinese
  // Plain text, one "label：value" per line, Chinese only (the card is for the family).
  std::string ToText() const;
};

// Builds the card from the pairing, its child and its helper records (missing fields stay empty).
ContactCard MakeContactCard(const Fields& pairing, const Fields& child, const Fields& helper);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_ASSISTANCE_H_
