// Who may write what: the check every write made for a person passes before anything is stored
// (node/core NodeCore::WriteAs; the admin web and the CLI write through it). docs/programme.md,
// "Who may write".
//
// CheckWrite(writer, key, record, today) takes the whole record as it would be after the write
// (the caller merges the stored state with the change: ProposeRecord below) and refuses it when
//   - the record does not validate (validate.h ValidateRecord): kInvalidArgument (entries of a
//     log already stored are held to the rules they were written under: CheckChange passes the
//     stored record as ValidateOptions::stored, while every value written is checked on its
//     own against today's rules — an assistance entry of a kind outside the closed list);
//   - the writer's role may not write records of the type (the table below), the writer is bound
//     to no real unit, or the record's scope is not at or below the writer's unit:
//     kPermissionDenied;
//   - the scope is not where a record of the type lives (scope.h RecordScope: an office-only
//     type of a town or the city only in its office scope, a registry never in one):
//     kInvalidArgument;
//   - a caring parent (爱心家长) writes anything but a contact of one of their own pairings (the
//     contact's helper is their helper id, Viewer::user, and a pairing of that helper with the
//     child is in force in the contact's scope: WriteContext::paired): kPermissionDenied.
// Every refusal's message is Chinese, then " / ", then English ("中文 / English").
//
//   type          director supervisor town_office city_bureau counsellor caring_parent auditor
//   child, guardian, helper, pairing, activity, intervention, referral, patrol, transfer
//                    yes      yes        yes        yes          -            -          -
//   contact          yes      yes        yes        yes          -       own pairings    -
//   report, help_request
//                    yes      yes        yes        yes         yes           -          -
//   counselling       -        -          -          -          yes           -          -
//   training, organisation, meeting, facility, staff_post
//                     -       yes        yes        yes          -            -          -
//   inspection, correction, fund
//                     -        -         yes        yes          -            -          -
//   user             own       own        yes        yes         own          own         own
//                 password  password                        password     password    password
//   legal_consultation: as referral
//
// Counselling records are the counsellor's (their notes are restricted to the counsellor role:
// redact.h); a counsellor, like every professional, files mandatory reports. Trainings,
// organisations and liaison meetings are a town's or the city's registries. Auditors never
// write. User accounts (users.h) are kept by the town office for its town and the city bureau
// for the city; everyone else may change only the password (password_hash, password_changed_at)
// of their own account (redact.h IsOwnUserRecord), not while it is disabled: CheckChange decides
// that, having the stored record. A user record must also live at its `unit`, have the id
// UserId(login) (so a login never changes), bind a director to a village, a supervisor or town
// office to a town and a city bureau to the city, and hold a login no other account holds
// (WriteContext::login_taken): kInvalidArgument, kAlreadyExists. The unit levels come from
// WriteContext::level (default: a path of one segment is the
// city, two a town, more a village: "jinjiang/cizao/v012").
//
// System writes (receipts, revocations, escalation flags, transfers carried out by the node) are
// not a person's and do not come here (NodeCore::Write).
//
// Pure functions; thread-safe (the callbacks are the caller's).
#ifndef FULEI_PROGRAMME_WRITE_POLICY_H_
#define FULEI_PROGRAMME_WRITE_POLICY_H_

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "crdt/record.h"
#include "crdt/status.h"
#include "programme/date.h"
#include "programme/fields.h"
#include "programme/redact.h"
#include "programme/scope.h"
#include "programme/validate.h"

namespace fulei::programme {

struct WriteContext {
  // Whether a pairing of `helper` with `child` is in force in `scope` (for a caring parent's
  // contacts). Unset: none is (a caring parent's write is refused).
  std::function<bool(std::string_view scope, std::string_view helper, std::string_view child)>
      paired;
  // The level of an org unit. Unset: by the number of path segments (1 city, 2 town, else
  // village).
  std::function<UnitLevel(std::string_view unit)> level;
  // Whether a live user record other than `key` holds `login` (users.h LoginTaken answers it
  // from the store). Unset: not checked (a login is then unique within its unit only: the
  // record id is UserId(login)).
  std::function<bool(std::string_view login, const crdt::RecordKey& key)> login_taken;
  ValidateOptions validate;
};

// Whether `writer`'s role may write records of `type` at all (the table above; a caring parent:
// contacts, which CheckWrite then checks are their own).
bool RoleMayWrite(Role role, std::string_view type);

// The level of `unit` by its number of path segments (the default of WriteContext::level).
UnitLevel LevelByDepth(std::string_view unit);

// The checks decided from the key alone: role, unit, scope. Errors as CheckWrite's.
Status CheckWriteKey(const Viewer& writer, const crdt::RecordKey& key,
                     const WriteContext& context = {});

// The whole check of a record as it would be after the write (see the header comment).
Status CheckWrite(const Viewer& writer, const crdt::RecordKey& key, const Fields& record,
                  const Date& today, const WriteContext& context = {});

// Deleting (or restoring) a record: CheckWriteKey, and never by a caring parent.
Status CheckDelete(const Viewer& writer, const crdt::RecordKey& key,
                   const WriteContext& context = {});

// The record `current` (nullopt: none yet) after `writes` are applied, as a later writer would
// see it; `deleting` is set when the writes delete it (add the deletion marker). kInvalidArgument
// for a write to a reserved field ("$...") other than the deletion marker, or an op that does
// not validate (crdt::ValidateOp).
struct Proposed {
  crdt::RecordState state;
  bool deleting = false;   // the writes add the deletion marker
  bool restoring = false;  // the writes remove it
};
Result<Proposed> ProposeRecord(const std::optional<crdt::RecordState>& current,
                               const crdt::RecordKey& key,
                               std::span<const crdt::FieldWrite> writes);

// ProposeRecord, then CheckDelete for a deletion or a restore, CheckWriteKey for a write to a
// record that stays deleted, else CheckWrite on the proposed fields. Returns the proposed state
// (for a later change of the same record in the same write).
Result<crdt::RecordState> CheckChange(const Viewer& writer, const crdt::RecordKey& key,
                                      const std::optional<crdt::RecordState>& current,
                                      std::span<const crdt::FieldWrite> writes, const Date& today,
                                      const WriteContext& context = {});

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_WRITE_POLICY_H_
