// Logging of the daemon and the commands: spdlog to stderr, one event a line. Under systemd
// (JOURNAL_STREAM set) each line starts with the journal's priority prefix ("<6>" for info),
// so journald files it at the right level and adds the time itself; otherwise each line starts
// with the UTC time and the level. Never log a child's name or any record content: ids, units,
// counts and reasons only (docs/operations.md#logs).
// Thread-safe (spdlog's multi-threaded sink).
#ifndef FULEI_NODE_LOG_H_
#define FULEI_NODE_LOG_H_

#include <string_view>

#include "crdt/status.h"

namespace fulei::node {

// Installs the stderr logger as spdlog's default at `level` (trace, debug, info, warn, error).
// kInvalidArgument for another level name (nothing changes).
Status InitLogging(std::string_view level);
Status SetLogLevel(std::string_view level);

}  // namespace fulei::node

#endif  // FULEI_NODE_LOG_H_
