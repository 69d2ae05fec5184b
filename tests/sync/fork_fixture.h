// Forked chains for the equivocation tests: an origin that signs two different chains of one
// scope, sharing a prefix, each op with its signed head, and helpers to hold them in a node's
// store or send them in a batch.
#ifndef FULEI_TESTS_SYNC_FORK_FIXTURE_H_
#define FULEI_TESTS_SYNC_FORK_FIXTURE_H_

#include <string>
#include <vector>

#include "crdt/codec.h"
#include "crypto/op_chain.h"
#include "tests/sync/sync_fixture.h"

namespace fulei::sync::testing {

// One chain of `origin` in kVillage: ops[k] has seq k + 1, heads[k] is the signed head at it.
struct SignedChain {
  std::vector<crdt::Op> ops;
  std::vector<std::string> heads;
};

// A chain of `n` ops whose values are tagged `tag`; it shares its first `shared` ops with
// `base` (when given), so two chains with different tags fork after `shared`.
inline SignedChain MakeChain(const TestNode& origin, int n, const std::string& tag,
                             const SignedChain* base = nullptr, int shared = 0) {
  SignedChain c;
  crdt::Hash head{};
  if (base != nullptr && shared > 0) {
    c.ops.assign(base->ops.begin(), base->ops.begin() + shared);
    c.heads.assign(base->heads.begin(), base->heads.begin() + shared);
    head = crypto::OpHeaderHash(c.ops.back());
  }
  crypto::ChainBuilder b(origin.identity->signing_key(), kVillage, c.ops.size(), head);
  for (int seq = static_cast<int>(c.ops.size()) + 1; seq <= n; ++seq) {
    crdt::Op op;
    op.stamp = crdt::Stamp{kNow + static_cast<uint64_t>(seq), 0};
    op.author = "tester";
    op.key = {kVillage, "child", "c" + std::to_string(seq)};
    op.writes.push_back(
        crdt::FieldWrite{"note", crdt::WriteKind::kSet, tag + std::to_string(seq), {}});
    EXPECT_OK(b.Append(&op));
    c.ops.push_back(op);
    c.heads.push_back(crypto::EncodeSignedHead(b.SignHead()));
  }
  return c;
}

// Holds ops `from`..`to` (seqs) of `chain` in `node`'s store, with the head at `to`.
inline void Hold(TestNode& node, const SignedChain& chain, int from, int to) {
  std::vector<crdt::Op> ops(chain.ops.begin() + (from - 1), chain.ops.begin() + to);
  store::ApplyOptions options;
  const crdt::Op& last = ops.back();
  options.heads.push_back(store::ChainHead{kVillage, last.origin, last.seq, chain.heads[to - 1]});
  EXPECT_OK(node.store->ApplyBatch(ops, options));
}

// A batch of ops `from`..`to` of `chain`, with the head at `to` and `origin`'s certificate.
inline OpsBatch BatchOf(const SignedChain& chain, int from, int to, const TestNode& origin,
                        uint64_t number) {
  OpsBatch b;
  b.batch = number;
  b.scope = kVillage;
  for (int seq = from; seq <= to; ++seq) b.ops.push_back(crdt::EncodeOp(chain.ops[seq - 1]));
  b.heads.push_back(chain.heads[to - 1]);
  b.certs.push_back(crypto::EncodeChain({origin.cert}));
  return b;
}

}  // namespace fulei::sync::testing

#endif  // FULEI_TESTS_SYNC_FORK_FIXTURE_H_
