// The audit log as the programme keeps it: each node appends entries to its own log (store.h
// AppendAudit: a login, a read of a record about a person, an export, a change of a user account,
// a backup, a revocation) and copies them into records of type "audit" (schema.h), which
// replicate up to the town and the city like every record. This file reads an entry's text and
// makes its record; the node decides when to copy (node/core/core.h ShipAudit).
//
// Entry text (written by admin-web/api.cc, reader.cc, node/operations.cc, node/commands.cc):
// tab-separated, the action first, then the time (YYYY-MM-DDTHH:MM:SSZ), the user, their role and
// unit, then what the action names:
//   read         key of the record read, the client's address
//   login        the client's address, "ok" | "refused" | "disabled" (the user is the login given)
//   export       kind, subtree, format, rows
//   user.add, user.change   the login changed, what changed, the client's address
// Older and operator entries ("revoke node=... version=...", "backup ...") are free text: their
// action is the first word and the rest is what they name.
//
// Pure functions; thread-safe.
#ifndef FULEI_PROGRAMME_AUDIT_H_
#define FULEI_PROGRAMME_AUDIT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "crdt/op.h"
#include "programme/fields.h"
#include "store/store.h"

namespace fulei::programme {

// An entry read back from its text (every part valid UTF-8, without control characters).
struct AuditEntry {
  std::string action;  // "read", "login", "export", "user.add", ... (at most 32 bytes)
  std::string at;      // "YYYY-MM-DDTHH:MM:SSZ", or "" when the entry names no time
  std::string user;    // user id or login given, or ""
  std::string role;    // role code, or ""
  std::string unit;    // the user's unit, or "" (not a unit path)
  std::string what;    // what the action names: a record key, an export, a user, ...
  std::string from;    // the client's address, or ""
};

AuditEntry ParseAuditEntry(std::string_view text);

// The id of the record copying entry `seq` whose text is `text`: "<16 hex digits of a BLAKE2b
// hash of the text>-<seq>". It names the entry, not the node: a node restored from a backup holds
// the old node's log and its records, and finds them copied already.
std::string AuditRecordId(uint64_t seq, std::string_view text);

// The record of entry `seq` (text `text`) recorded by node `node`, to be written in `scope` (the
// node's unit's scope for type "audit": scope.h RecordScope). `now_s` is the time used when the
// entry names none. The record is valid for the schema whatever the text (an entry longer than the
// field's limit is cut at a character boundary; invalid UTF-8 is replaced).
store::LocalChange AuditRecord(std::string_view scope, crdt::NodeId node, uint64_t seq,
                               std::string_view text, int64_t now_s);

// The entry a record of type "audit" holds, with the node and number it came from.
struct AuditRecordView {
  AuditEntry entry;
  std::string text;  // the entry as written
  std::string node;  // 16 hex digits
  int64_t seq = 0;
};
AuditRecordView ReadAuditRecord(const Fields& fields);

}  // namespace fulei::programme

#endif  // FULEI_PROGRAMME_AUDIT_H_
