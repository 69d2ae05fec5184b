// The daemon, `fulei run --dir DIR`, and the way the other commands reach the node: through the
// running daemon's control socket, or, when none runs, by opening the node themselves.
//
// RunDaemon: takes the data directory's lock (one daemon per directory), reads fulei.toml
// (node/config.h; a bad file exits 3 naming file, line, key and reason), loads the node's keys
// and chain (node/data_dir.h), opens the node (node/node.h) with the enrolment desk of a town or
// the city (node/enrolment.h), serves the control socket (node/control.h), tells systemd READY=1
// and WATCHDOG=1 when run under it (Type=notify, WatchdogSec), and runs until SIGTERM or SIGINT:
// then it stops accepting, closes every session and returns 0. Writes are single store
// transactions, so a stop never leaves a batch half applied. SIGHUP re-reads fulei.toml and
// applies what can change safely while running (the log level); the rest is logged as needing a
// restart. Exit codes: docs/cli.md#exit-codes.
#ifndef FULEI_NODE_DAEMON_H_
#define FULEI_NODE_DAEMON_H_

#include <boost/json/object.hpp>
#include <filesystem>

#include "crdt/status.h"

namespace fulei::node {

// Exit codes shared by the commands (docs/cli.md#exit-codes).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,    // the operation failed (the message says why)
  kExitUsage = 2,      // bad arguments (CLI11)
  kExitConfig = 3,     // fulei.toml is missing or wrong
  kExitBusy = 4,       // another process holds the data directory
  kExitNoNode = 5,     // the directory holds no node (init or join first)
  kExitRefused = 6,    // the node refused the request (validation, permission)
  kExitNotFound = 7,   // no such record
  kExitIntegrity = 8,  // `fulei check` found a fault
  kExitBadBackup = 9,  // `fulei restore`: wrong passphrase, or a damaged file or no backup
};

int RunDaemon(const std::filesystem::path& dir);

// Runs one operation (node/operations.h) on the node in `dir`: through the daemon when one
// runs, else by opening the node (taking the directory's lock for the duration).
// `*through_daemon` says which happened.
Result<boost::json::object> Operate(const std::filesystem::path& dir,
                                    const boost::json::object& request, bool* through_daemon);

// The exit code for an operation's answer ({"ok": false, "code": ...}).
int ExitCodeOf(const boost::json::object& answer);
int ExitCodeOf(const Status& status);

}  // namespace fulei::node

#endif  // FULEI_NODE_DAEMON_H_
