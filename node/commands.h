// The `fulei` commands other than `sim` and `run` (docs/cli.md): each takes its parsed options,
// prints for a person (or JSON with --json) and returns the process's exit code
// (node/daemon.h ExitCode, node/enrolment.h JoinFailure for `join`).
#ifndef FULEI_NODE_COMMANDS_H_
#define FULEI_NODE_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fulei::node {

struct InitOptions {
  std::string dir;
  std::string unit = "jinjiang";
  std::string listen = "0.0.0.0:7400";
  std::string web;
  std::string root_key_out;  // empty: DIR/root.key
  // An existing network's root key (a replacement city): certify the new city node with it
  // instead of making a new network. Its passphrase is asked for; the file stays where it is.
  std::string root_key;
  int validity_days = 3650;  // the city's certificate
};
int RunInit(const InitOptions& o);

struct InviteOptions {
  std::string dir;
  std::string unit;
  std::string expires = "72h";
  std::string root_key;  // empty: DIR/root.key
};
int RunInvite(const InviteOptions& o);

struct JoinCommandOptions {
  std::string dir;
  std::string token;  // "-": read from stdin
  std::vector<std::string> upstream;
  std::string fallback;  // a village: the city's address, for urgent reports
  std::string listen;    // towns: where to listen (default 0.0.0.0:7400)
  std::string web;
  int timeout_seconds = 30;
};
int RunJoin(const JoinCommandOptions& o);

struct StatusOptions {
  std::string dir;
  bool json = false;
  bool watch = false;
  int interval_seconds = 2;
};
int RunStatus(const StatusOptions& o);

// record put|get|list|history, report file|show, check: one operation each.
struct RecordOptions {
  std::string dir;
  std::string action;  // put, get, list, history
  std::string type, id, unit;
  std::string fields;  // JSON object text, or "-" for stdin, or @FILE
  int limit = 0;
};
int RunRecord(const RecordOptions& o);

struct ReportOptions {
  std::string dir;
  std::string action;  // file, show
  std::string type = "report";
  std::string id, unit;
  std::string fields;  // JSON object text, "-" or @FILE
  bool json = false;
};
int RunReport(const ReportOptions& o);

int RunCheck(const std::string& dir, bool json);

struct ExportOptions {
  std::string dir;
  std::string what;  // children, study_aid, family_care_overdue
  std::string format = "xlsx";
  std::string out;
  std::string unit;  // a subtree (default: the node's unit)
};
int RunExport(const ExportOptions& o);

struct ImportOptions {
  std::string dir;
  std::string what;  // children, helpers, pairings, contacts
  std::string file;
  std::string unit;  // the importing unit (default: the node's)
  bool dry_run = false;
  bool json = false;
};
int RunImport(const ImportOptions& o);

struct RevokeOptions {
  std::string dir;
  std::string node;
  std::string reason;
  std::string root_key;  // empty: DIR/root.key
};
int RunRevoke(const RevokeOptions& o);

// `fulei user add|list|disable|enable|passwd`: accounts of the admin web (programme/users.h).
// Passwords come from the terminal (asked twice) or one line of stdin, are hashed here with
// argon2id, and only the hash reaches the node.
struct UserOptions {
  std::string dir;
  std::string action;
  std::string login, role, unit, name, helper;
  bool json = false;
};
int RunUser(const UserOptions& o);

// `fulei clock show|reset --dir DIR [--to now|YYYY-MM-DDTHH:MM:SSZ]`: the store's HLC mark, and
// setting it back (docs/store.md#clock-recovery). Only with the daemon stopped (exit 4 when it
// runs).
int RunClock(const std::string& dir, const std::string& action, const std::string& to);

// `fulei backup --dir DIR --out FILE`: a hot copy of the store (through the daemon when it runs),
// sealed under a passphrase with the data keys that open it (node/backup.h).
struct BackupOptions {
  std::string dir;
  std::string out;
};
int RunBackup(const BackupOptions& o);

// `fulei restore --from FILE --dir DIR`: the backup's store becomes the store of the node in
// DIR, newly enrolled for the same unit, with its daemon stopped. The store it replaces is kept
// beside it (store.before-restore-TIME). Refuses a node that has written ops of its own (its
// next op would reuse a sequence number its peers may hold).
struct RestoreOptions {
  std::string dir;
  std::string from;
};
int RunRestore(const RestoreOptions& o);

// "72h", "30m", "7d", "90s" -> milliseconds; nullopt when malformed.
std::optional<uint64_t> ParseDuration(const std::string& text);

}  // namespace fulei::node

#endif  // FULEI_NODE_COMMANDS_H_
