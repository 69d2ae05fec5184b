// Helpers shared by the store tests: op builders, options, opening a store. ASSERT_OK and
// TempDir come from tests/support/.
#ifndef FULEI_TESTS_STORE_TEST_UTIL_H_
#define FULEI_TESTS_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "crdt/record.h"
#include "crdt/status.h"
#include "store/sealer.h"
#include "store/store.h"
#include "tests/store/data_key_sealer.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace fulei::store::testing {

// A set-write op of origin `origin`, seq `seq` in `scope`, on record (scope, type, id).
// Stamps are derived from (seq, origin) so they are unique and increase along a chain.
inline crdt::Op MakeOp(crdt::NodeId origin, const std::string& scope, uint64_t seq,
                       const std::string& type, const std::string& id,
                       std::vector<crdt::FieldWrite> writes, uint32_t flags = 0) {
  crdt::Op op;
  op.origin = origin;
  op.seq = seq;
  op.stamp = crdt::Stamp{1'700'000'000'000ull + seq * 10 + (origin % 10), 0};
  op.author = "u-" + std::to_string(origin);
  op.key = crdt::RecordKey{scope, type, id};
  op.flags = flags;
  op.writes = std::move(writes);
  return op;
}

inline crdt::FieldWrite Set(std::string field, std::string value,
                            std::vector<crdt::OpId> supersedes = {}) {
  crdt::FieldWrite w;
  w.field = std::move(field);
  w.kind = crdt::WriteKind::kSet;
  w.value = std::move(value);
  w.supersedes = std::move(supersedes);
  return w;
}

// The store tests' options: node 0x51, a small map to start with (so tests cross map growth),
// no reserve file.
inline StoreOptions TestOptions(const Sealer* sealer = nullptr,
                                size_t initial_map_bytes = size_t{1} << 20) {
  StoreOptions o;
  o.sealer = sealer;
  o.node_id = 0x51;
  o.initial_map_bytes = initial_map_bytes;
  o.reserve_bytes = 0;
  return o;
}

// Opens the store in `dir`, or ends the test binary: nothing after a failed open can be checked.
inline std::unique_ptr<Store> OpenOrDie(const std::string& dir, StoreOptions options) {
  auto s = Store::Open(dir, std::move(options));
  EXPECT_OK(s);
  if (!s.ok()) std::abort();
  return std::move(s).value();
}

}  // namespace fulei::store::testing

#endif  // FULEI_TESTS_STORE_TEST_UTIL_H_
