// Operations: what `fulei status`, `record`, `report` and `invite` do, one JSON request in and
// one JSON answer out (docs/cli.md#control-socket). The daemon runs them on its event loop for
// requests that arrive on its control socket (node/control.h); with no daemon running, the
// command opens the node itself and runs the same code. Either way a write goes through
// NodeCore::WriteAs with the programme's validation and write policy: the CLI writes as the
// node's operator (儿童主任 at a village, 社会事务办 at a town, 民政局 at the city).
//
// Request: {"op": "status" | "record.put" | "record.get" | "record.list" | "record.history" |
//           "report.file" | "report.show" | "invite" | "check" | "export" | "import" |
//           "backup" | "user.put" | "revoke", ...arguments}.
// Answer:  {"ok": true, ...} or {"ok": false, "code": "<status code>", "error": "中文 / English"}.
// Nothing a person wrote (names, descriptions) is ever logged by these functions.
//
// Thread-compatible: call on the node's loop.
#ifndef FULEI_NODE_OPERATIONS_H_
#define FULEI_NODE_OPERATIONS_H_

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "crdt/status.h"
#include "node/core/core.h"
#include "node/node.h"
#include "programme/redact.h"
#include "store/store.h"

namespace fulei::node {

class EnrolmentDesk;

struct OperationContext {
  NodeCore* core = nullptr;
  // NodeCore::WriteAs at the node's now, then the driver's actions (Node::WriteAs); offline,
  // the core's WriteAs alone.
  std::function<Result<std::vector<crdt::Op>>(const programme::Viewer&,
                                              const std::vector<store::LocalChange>&,
                                              const std::vector<std::string>&)>
      write_as;
  // NodeCore::PublishRevocations at the node's now (then the driver's actions).
  std::function<Status(std::string_view signed_list)> publish_revocations;
  uint64_t wall_ms = 0;                // the wall clock now
  EnrolmentDesk* desk = nullptr;       // towns and the city
  const NodeConfig* config = nullptr;  // upstream addresses, for status
  std::string data_dir;
  bool daemon = false;        // answered by a running daemon (else by the command itself)
  uint64_t started_ms = 0;    // when the daemon started
  uint16_t listen_port = 0;   // the port the daemon listens on (0: none)
  std::string random_id_hex;  // 16 random hex digits for a new report's id (the caller draws)
};

// "2026-12-06T11:24:16Z" for ms since the epoch (UTC).
std::string UtcText(uint64_t ms);

// The operator the CLI writes as at `unit`.
programme::Viewer OperatorOf(std::string_view unit);

boost::json::object HandleOperation(const boost::json::object& request, OperationContext& ctx);

// The two halves of op "backup", for a daemon that runs the copy (Store::Backup, thread-safe)
// on another thread so that sync goes on meanwhile: the directory inside the data directory
// the copy goes to, and the answer once `copied` says how it went (an audit entry written).
// HandleOperation's "backup" is the two with the copy between them.
std::string BackupDirectory(const OperationContext& ctx);
boost::json::object FinishBackup(const std::string& dir, const Status& copied,
                                 OperationContext& ctx);

}  // namespace fulei::node

#endif  // FULEI_NODE_OPERATIONS_H_
