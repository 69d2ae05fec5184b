// The ops of the crdt unit tests (record_test.cc, op_test.cc): all on one child record, stamped
// at wall time `ms`, by author "u1".
#ifndef FULEI_TESTS_CRDT_MAKE_OP_H_
#define FULEI_TESTS_CRDT_MAKE_OP_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "crdt/op.h"

namespace fulei::crdt::testing {

inline Op MakeOp(NodeId origin, uint64_t seq, uint64_t ms, std::vector<FieldWrite> writes) {
  Op op;
  op.origin = origin;
  op.seq = seq;
  op.stamp = Stamp{ms, 0};
  op.author = "u1";
  op.key = RecordKey{"jinjiang/cizao/v001", "child", "c1"};
  op.writes = std::move(writes);
  return op;
}

}  // namespace fulei::crdt::testing

#endif  // FULEI_TESTS_CRDT_MAKE_OP_H_
