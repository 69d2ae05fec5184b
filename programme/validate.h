// Validation of a proposed record against the schema (schema.h), before anything is written.
//
// ValidateRecord checks a complete proposed record — the caller merges the current values with the
// edit — and returns OK or kInvalidArgument naming the record type and field, e.g.
//   "child.id_number: checksum digit is 5, expected X"
//   "child.birth_date: 2023-02-30 is not a calendar date"
//   "child.category: unknown value 'poor' (expected one of orphan, abandoned, ...)"
// It stores nothing and has no side effects. Checks: the type is known; every field is known;
// required fields are present; register fields hold one value; set elements are distinct; each
// value decodes as its ValueType (docs/programme.md); dates marked not_future are not after
// `today`; and cross-field rules (ID number agrees with birth date and gender; end dates not
// before start dates; acknowledgement not before the report; consent recorded for a child under
// 14; a guardian informed not before the session).
// Pure function; thread-safe.
#ifndef FULEI_PROGRAMME_VALIDATE_H_
#define FULEI_PROGRAMME_VALIDATE_H_

#include <string_view>

#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/schema.h"

namespace fulei::programme {

Status ValidateRecord(std::string_view type, const Fields& fields, const Date& today);

// Checks one value against its field's type alone (no cross-field rules). The error message does
// not carry the field name; ValidateRecord prefixes it.
Status ValidateValue(const FieldSpec& spec, std::string_view value, const Date& today);

// Decodes a kMoney value to fen (1/100 yuan).
Result<int64_t> ParseMoneyFen(std::string_view text);
// Decodes a kInt value (no range check).
Result<int64_t> ParseInt(std::string_view text);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_VALIDATE_H_
