// What the node core asks its driver to do (node/core/core.h): the only way the core reaches the
// world. The daemon's Asio driver (node/node.cc) turns each action into a socket write, a close,
// a connection attempt or a steady timer; the simulator (node/sim/) into simulated ones.
// Plain value types.
#ifndef FULEI_NODE_CORE_ACTION_H_
#define FULEI_NODE_CORE_ACTION_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "crdt/status.h"
#include "sync/priority.h"

namespace fulei::node {

// One connection as the driver names it: chosen by the driver when it reports the connection
// (NodeCore::OnConnected), never reused while the core lives.
using ConnId = uint64_t;

// A timer of the core. A later kSetTimer with the same id replaces the earlier one.
using TimerId = uint64_t;
// The city's escalation check (periodic while the node runs).
inline constexpr TimerId kEscalationTimer = 0;
// The redial of upstream k: kRedialTimer + k (one-shot).
inline constexpr TimerId kRedialTimer = 1;

struct Action {
  enum class Kind {
    kSend,      // send `bytes` on `conn` in traffic class `priority`, round-robin key `stream`
    kClose,     // close `conn`; `reason` says why (the driver reports OnClosed afterwards)
    kDial,      // try once to connect to upstream `upstream` (OnConnected or OnDialFailed follows)
    kSetTimer,  // call OnTimer(`timer`) once the driver's clock reaches `at_ms`
  };
  Kind kind = Kind::kSend;
  ConnId conn = 0;
  sync::Priority priority = sync::Priority::kNormal;
  uint32_t stream = 0;
  std::string bytes;
  Status reason;
  size_t upstream = 0;
  TimerId timer = 0;
  uint64_t at_ms = 0;  // in the clock of the `now_ms` the driver passes to the core
};

}  // namespace fulei::node

#endif  // FULEI_NODE_CORE_ACTION_H_
