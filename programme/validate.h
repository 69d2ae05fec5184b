// Validation of a proposed record against the schema (schema.h), before anything is written.
//
// ValidateRecord checks a complete proposed record — the caller merges the current values with the
// edit — and returns OK or kInvalidArgument whose message is English naming the record type and
// field, then " | ", then the same in Chinese (zh-CN, the field's label) for the person, e.g.
//   "child.id_number: checksum digit is 5, expected X | 身份证号：格式或校验码不正确"
//   "child.birth_date: 2023-02-30 is not a calendar date | 出生日期：不是有效日期（YYYY-MM-DD）"
//   "report.reporter_name: is required | 报告人：必填"
// EnglishPart() gives the part before " | " (stable, for logs and tests).
// It stores nothing and has no side effects. Checks: the type is known; every field is known;
// required fields are present; register fields hold one value; set elements are distinct; each
// value decodes as its ValueType (docs/programme.md); dates marked not_future are not after
// `today`; and cross-field rules (ID number agrees with birth date and gender; end dates not
// before start dates; acknowledgement not before the report; consent recorded for a child under
// 14; a guardian informed not before the session; a user's login of 3..32 of [a-z0-9._-], its
// password hash an argon2id string and a caring parent's helper record named; for reports and help
// requests: the child named by record id or name, police-report details present exactly when
// police_informed is yes, discovery not after the report). An assistance entry's kind must be
// one of assistance.h's closed list (code or Chinese label), except in entries already stored
// (ValidateOptions::stored): the Chinese reason lists the kinds.
//
// Times (kTime, and the times inside kStep / kAck entries) marked not_future: with
// ValidateOptions::now_s they may be at most future_tolerance_s after it (clock drift between a
// phone, a Pi and the server); without it, not after the end of the UTC day following `today`.
// Pure function; thread-safe.
#ifndef FULEI_PROGRAMME_VALIDATE_H_
#define FULEI_PROGRAMME_VALIDATE_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/schema.h"

namespace fulei::programme {

struct ValidateOptions {
  std::optional<int64_t> now_s;          // the current time (unix seconds), when known
  int64_t future_tolerance_s = 10 * 60;  // how far after now_s a time may be
  // The record as it is stored (write_policy.h CheckChange sets it), or null. An entry of an
  // assistance log that is already stored there is held to the rules it was written under
  // (its kind any short text, as before the list of kinds was closed), so a pairing holding an
  // old entry can still be edited; a new entry's kind must be in the list. Not owned; read
  // during the call only.
  const Fields* stored = nullptr;
};

Status ValidateRecord(std::string_view type, const Fields& fields, const Date& today,
                      const ValidateOptions& options = {});

// The English part of a validation message (before " | ").
std::string_view EnglishPart(std::string_view message);

// Checks one value against its field's type alone (no cross-field rules). The error message does
// not carry the field name; ValidateRecord prefixes it.
Status ValidateValue(const FieldSpec& spec, std::string_view value, const Date& today,
                     const ValidateOptions& options = {});

// Decodes a kMoney value to fen (1/100 yuan).
Result<int64_t> ParseMoneyFen(std::string_view text);
// Decodes a kInt value (no range check).
Result<int64_t> ParseInt(std::string_view text);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_VALIDATE_H_
