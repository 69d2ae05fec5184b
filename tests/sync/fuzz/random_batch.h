// Random batches of real ops (chained and signed by real keys) for the packed-ops tests
// (tests/sync/messages_test.cc) and the fuzz corpus maker (make_corpus.cc). Deterministic per
// seed. Not thread-safe (one generator per caller).
#ifndef FULEI_TESTS_SYNC_FUZZ_RANDOM_BATCH_H_
#define FULEI_TESTS_SYNC_FUZZ_RANDOM_BATCH_H_

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "crdt/codec.h"
#include "crdt/op.h"
#include "crypto/op_chain.h"
#include "crypto/random.h"
#include "crypto/signing.h"

namespace fulei::sync::testing {

struct BatchShape {
  int origins = 3;            // origins writing the scope
  int ops = 60;               // ops generated in all (the batch holds a part of them)
  int max_writes = 5;         // writes per op: 0..max_writes
  double erase = 0.1;         // share of ops erased after signing
  double tamper = 0.0;        // share of ops whose body_hash is then broken
  bool gaps = true;           // leave seqs out, so one origin has several runs
  bool second_scope = false;  // some ops of a second scope (the codec does not care)
  double long_values = 0.1;   // share of values of 300..2,300 bytes (else 0..23)
};

struct Run {
  size_t first = 0, count = 0;  // indices into RandomBatch::ops
  crypto::SignedHead head;      // the origin's signed head at the run's last op
  uint64_t prev_seq = 0;        // seq before the run
  crdt::Hash prev_head{};       // header hash of the op before the run (zero at seq 0)
};

struct RandomBatch {
  std::vector<crdt::Op> ops;       // batch order
  std::vector<std::string> bytes;  // canonical bytes of ops
  std::vector<Run> runs;
  std::vector<crypto::SigningKey> keys;
  std::vector<crypto::Certificate> certs;  // unsigned stand-ins: node id and signing key
};

inline constexpr char kScope[] = "jinjiang/cizao/v012";
inline constexpr char kScope2[] = "jinjiang/cizao";

inline RandomBatch MakeRandomBatch(uint64_t seed, const BatchShape& shape = {}) {
  std::mt19937_64 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  RandomBatch out;
  std::vector<std::map<std::string, crypto::ChainBuilder>> chains(
      static_cast<size_t>(shape.origins));
  for (int i = 0; i < shape.origins; ++i) {
    crypto::DeterministicRandom r(seed * 131 + static_cast<uint64_t>(i) + 1);
    out.keys.push_back(crypto::SigningKey::Generate(r));
    crypto::Certificate c;
    c.node_id = out.keys.back().node_id();
    c.signing_key = out.keys.back().public_key();
    out.certs.push_back(c);
  }
  const std::vector<std::string> authors = {"director", "u-0002", "", "volunteer-17"};
  const std::vector<std::string> types = {"child", "contact", "pairing", "report"};
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back("c-" + std::to_string(1000 + i * 7));
  ids.push_back(std::string(200, 'z'));
  ids.push_back("8f14e45f-ceea-467f-a0e6-0d1b2e3c4d5e");
  const std::vector<std::string> fields = {"name_ref", "school", "grade",    "status",
                                           "tags",     "log",    "$deleted", std::string(128, 'f')};

  struct Gen {
    crdt::Op op;
    crypto::SignedHead head;
    crdt::Hash header{};
  };
  // Per (origin index, scope): every op in seq order.
  std::map<std::pair<int, std::string>, std::vector<Gen>> logs;
  std::vector<crdt::OpId> seen;
  crdt::Stamp now{1'764'000'000'000 + rng() % 1'000'000, 0};
  for (int n = 0; n < shape.ops; ++n) {
    const int o = static_cast<int>(pick(static_cast<size_t>(shape.origins)));
    const std::string scope = shape.second_scope && chance(0.3) ? kScope2 : kScope;
    const uint64_t step = chance(0.5) ? 0 : (chance(0.9) ? rng() % 5 : rng() % 100'000'000);
    now = step == 0 ? crdt::Stamp{now.ms, now.logical + 1 + (chance(0.05) ? 70000u : 0u)}
                    : crdt::Stamp{now.ms + step, 0};
    crdt::Op op;
    op.stamp = now;
    op.author = authors[pick(authors.size())];
    op.key = {scope, types[pick(types.size())], ids[pick(ids.size())]};
    if (chance(0.2)) op.flags = crdt::kOpFlagUrgent;
    if (chance(0.05)) op.flags = 0x80000001u;
    std::vector<size_t> fs(fields.size());
    for (size_t i = 0; i < fs.size(); ++i) fs[i] = i;
    std::shuffle(fs.begin(), fs.end(), rng);
    const size_t writes = pick(static_cast<size_t>(shape.max_writes) + 1);
    for (size_t w = 0; w < writes && w < fs.size(); ++w) {
      crdt::FieldWrite fw;
      fw.field = fields[fs[w]];
      fw.kind = static_cast<crdt::WriteKind>(pick(4));
      if (fw.kind != crdt::WriteKind::kRemove) {
        const size_t len = chance(shape.long_values) ? 300 + pick(2000) : pick(24);
        for (size_t i = 0; i < len; ++i) fw.value.push_back(static_cast<char>(rng()));
      }
      // Supersede ids seen before (often the same one from two ops: a conflict), and now and
      // then an id of an origin that is not in the batch.
      const size_t sups = chance(0.5) ? 0 : (chance(0.97) ? 1 + pick(3) : 64 + pick(10));
      for (size_t s = 0; s < sups && !seen.empty(); ++s) {
        if (chance(0.1)) {
          fw.supersedes.push_back(crdt::OpId{
              crdt::Stamp{now.ms - 1 - rng() % 1000, static_cast<uint32_t>(pick(9))}, rng() | 1});
        } else {
          fw.supersedes.push_back(seen[seen.size() - 1 - pick(std::min<size_t>(seen.size(), 8))]);
        }
      }
      op.writes.push_back(std::move(fw));
    }
    auto& chain = chains[static_cast<size_t>(o)];
    auto it = chain.find(scope);
    if (it == chain.end()) {
      it = chain
               .emplace(scope, crypto::ChainBuilder(out.keys[static_cast<size_t>(o)], scope, 0,
                                                    crdt::Hash{}))
               .first;
    }
    if (!it->second.Append(&op).ok()) std::abort();
    Gen g{op, it->second.SignHead(), it->second.head()};
    seen.push_back(op.id());
    logs[{o, scope}].push_back(std::move(g));
  }
  // Erase and tamper after signing: an erased op keeps its header, so its chain still verifies.
  for (auto& [key, log] : logs) {
    for (Gen& g : log) {
      if (chance(shape.erase)) {
        g.op.erased = true;
        g.op.writes.clear();
      } else if (chance(shape.tamper)) {
        g.op.body_hash[0] ^= 1;
      }
    }
  }
  // The batch: each log from a random start, cut into runs (with gaps when asked), logs in a
  // random order.
  std::vector<std::pair<int, std::string>> order;
  for (auto& [key, log] : logs) order.push_back(key);
  std::shuffle(order.begin(), order.end(), rng);
  for (const auto& key : order) {
    const std::vector<Gen>& log = logs[key];
    size_t i = chance(0.3) ? pick(log.size()) : 0;
    while (i < log.size()) {
      const size_t len = 1 + pick(log.size() - i);
      Run run;
      run.first = out.ops.size();
      run.count = len;
      run.prev_seq = log[i].op.seq - 1;
      run.prev_head = i == 0 ? crdt::Hash{} : log[i - 1].header;
      run.head = log[i + len - 1].head;
      for (size_t k = i; k < i + len; ++k) out.ops.push_back(log[k].op);
      out.runs.push_back(run);
      i += len;
      // Without gaps the next run follows on, and the codec sees one run.
      if (shape.gaps && i < log.size() && chance(0.5)) i += 1 + pick(2);
    }
  }
  for (const crdt::Op& op : out.ops) out.bytes.push_back(crdt::EncodeOp(op));
  return out;
}

}  // namespace fulei::sync::testing

#endif  // FULEI_TESTS_SYNC_FUZZ_RANDOM_BATCH_H_
