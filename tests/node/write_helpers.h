// Small helpers shared by the netns, crash and latency tests: one-field local changes, a backlog
// of child records written in batches, urgent reports, and a node's contiguous seq of a chain.
#ifndef FULEI_TESTS_NODE_WRITE_HELPERS_H_
#define FULEI_TESTS_NODE_WRITE_HELPERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "node/node.h"

namespace fulei::node::testing {

// One change: a one-field write to record (scope, type, id).
inline store::LocalChange OneField(const std::string& scope, const std::string& type,
                                   const std::string& id, const std::string& field,
                                   const std::string& value, uint32_t flags = 0) {
  store::LocalChange c;
  c.key = {scope, type, id};
  c.author = "tester";
  c.flags = flags;
  c.writes.push_back(crdt::FieldWrite{field, crdt::WriteKind::kSet, value, {}});
  return c;
}

// `count` one-field ops on children c<first>... of the node's own scope, `per_commit` per store
// transaction. Values are ~60 bytes, like a name and a short note. Returns the first error.
inline Status WriteBacklog(Node& node, int first, int count, int per_commit = 200) {
  for (int done = 0; done < count;) {
    std::vector<store::LocalChange> changes;
    for (int i = 0; i < per_commit && done < count; ++i, ++done) {
      const std::string n = std::to_string(first + done);
      changes.push_back(OneField(node.unit(), "child", "c" + n, "note",
                                 "home visit " + n + ": settled, school attendance regular"));
    }
    auto ops = node.Write(changes);
    if (!ops.ok()) return ops.status();
  }
  return Status::Ok();
}

// Writes one urgent report (type `report`) queued for the upstream; returns its op.
inline Result<crdt::Op> WriteReport(Node& node, const std::string& id) {
  auto ops = node.Write({OneField(node.unit(), "report", id, "summary",
                                  "强制报告 " + id + ": child at risk", crdt::kOpFlagUrgent)},
                        {kUpstreamOutbox});
  if (!ops.ok()) return ops.status();
  if (ops->size() != 1) return Status(StatusCode::kInternal, "one change, not one op");
  return ops->front();
}

// True when `node` holds the op (applied or pending behind a gap).
inline bool Holds(Node& node, const crdt::Op& op) {
  auto got = node.store().GetOp(op.key.scope, op.origin, op.seq);
  return got.ok() && got->has_value();
}

// The node's contiguous seq of chain (scope, origin): 0 when it holds nothing of it.
inline uint64_t SeqAt(Node& node, const std::string& scope, crdt::NodeId origin) {
  auto vv = node.store().GetVersionVector(scope);
  if (!vv.ok()) return 0;
  auto it = vv->find(origin);
  return it == vv->end() ? 0 : it->second;
}

}  // namespace fulei::node::testing

#endif  // FULEI_TESTS_NODE_WRITE_HELPERS_H_
