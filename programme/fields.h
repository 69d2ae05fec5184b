// Fields: the plain view of one record's values that the programme's logic works on.
//
// A record's merged CRDT state (crdt::RecordState) is read into Fields as: a register field gives
// its deterministic winner (one value; a conflict is resolved for reading only — the conflict
// itself stays in the record for a person to settle), a set field its present elements, a log
// field its entries that no delete covered, oldest first. Fields is also the shape of a proposed
// record that ValidateRecord (validate.h) checks before anything is written.
//
// Value type; thread-compatible. Views returned by the accessors live as long as the Fields.
#ifndef FULEI_PROGRAMME_FIELDS_H_
#define FULEI_PROGRAMME_FIELDS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/record.h"

namespace fulei::programme {

using Fields = std::map<std::string, std::vector<std::string>, std::less<>>;

// The first value of a field, or nullopt when the field is absent or empty.
std::optional<std::string_view> One(const Fields& f, std::string_view name);
// The value or "" when absent.
std::string_view OneOr(const Fields& f, std::string_view name, std::string_view fallback = "");
// All values of a field (empty when absent).
const std::vector<std::string>& All(const Fields& f, std::string_view name);

// Reads a record state as Fields (see the header comment). Reserved fields ("$...") are skipped.
// Returns nullopt for a deleted record (crdt::RecordState::deleted()).
std::optional<Fields> ReadFields(const crdt::RecordState& state);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_FIELDS_H_
