// Random ops and record states for the crdt codec tests, which check the direct canonical
// writers against capnp::canonicalize and the decoders against damage on any input: empty and
// long strings, zero and non-zero ids, every write kind, erased ops, empty lists.
#ifndef FULEI_TESTS_CRDT_RANDOM_OPS_H_
#define FULEI_TESTS_CRDT_RANDOM_OPS_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "crdt/op.h"
#include "crdt/record.h"

namespace fulei::crdt::testing {

// An op of sequence number `seq` with random fields, not necessarily valid (ValidateOp may
// refuse it): the encoders must handle whatever an Op can hold.
inline Op RandomOp(std::mt19937_64& rng, uint64_t seq) {
  auto pick = [&](uint64_t n) { return rng() % n; };
  auto str = [&](size_t max_len) {
    std::string x(pick(max_len + 1), '\0');
    for (auto& c : x) c = static_cast<char>('a' + pick(26));
    return x;
  };
  auto id = [&]() {
    OpId i;
    i.stamp.ms = pick(3) == 0 ? 0 : rng() >> pick(64);
    i.stamp.logical = pick(2) == 0 ? 0 : static_cast<uint32_t>(rng());
    i.origin = pick(3) == 0 ? 0 : rng() >> pick(64);
    return i;
  };
  Op op;
  op.origin = 1 + pick(4);
  op.seq = seq;
  op.stamp = Stamp{pick(4) == 0 ? 0 : 1'700'000'000'000ull + seq, static_cast<uint32_t>(pick(3))};
  op.author = str(12);
  op.key = RecordKey{"s/" + str(9), "t" + str(3), "i" + str(20)};
  op.flags = static_cast<uint32_t>(pick(3));
  for (size_t b = 0; b < op.prev_hash.size(); ++b) op.prev_hash[b] = static_cast<uint8_t>(rng());
  if (pick(2) == 0) op.body_hash.fill(static_cast<uint8_t>(pick(2)));
  op.erased = pick(8) == 0;
  // Half the erased ops carry an authorisation (no draw of its own: the ops other tests build
  // from a seed stay as they were).
  if (op.erased && seq % 2 == 0) op.erasure = "erasure of " + op.author;
  if (!op.erased) {
    for (size_t n = pick(5); n > 0; --n) {
      FieldWrite w;
      w.field = "f" + str(2);
      w.kind = static_cast<WriteKind>(pick(4));
      w.value = pick(4) == 0 ? std::string() : str(40);
      for (size_t k = pick(4); k > 0; --k) w.supersedes.push_back(id());
      op.writes.push_back(std::move(w));
    }
  }
  return op;
}

// Grows `count` record states by applying up to `ops_each` valid random ops to one key (every
// kind, concurrent values, tombstones with and without keys), calling `after_each` after every
// op; returns the final states. `small_elements` keeps set elements to one byte, so adds and
// removes meet.
inline std::vector<RecordState> GrowRandomStates(
    std::mt19937_64& rng, int count, uint64_t ops_each, bool small_elements,
    const std::function<void(const RecordState&)>& after_each = nullptr) {
  std::vector<RecordState> out;
  for (int record = 0; record < count; ++record) {
    RecordState state;
    std::vector<OpId> seen;
    for (uint64_t seq = 1; seq <= ops_each; ++seq) {
      Op op = RandomOp(rng, seq);
      op.origin = 1 + rng() % 3;
      op.stamp =
          Stamp{1'700'000'000'000ull + seq * 4 + rng() % 3, static_cast<uint32_t>(rng() % 2)};
      op.key = RecordKey{"s", "t", "i"};
      for (auto& w : op.writes) {
        w.supersedes.clear();
        if (!seen.empty() && rng() % 2 == 0) w.supersedes.push_back(seen[rng() % seen.size()]);
        if (small_elements && (w.kind == WriteKind::kAdd || w.kind == WriteKind::kRemove)) {
          w.value.resize(1);
        }
      }
      if (!ValidateOp(op).ok()) continue;
      state.Apply(op);
      seen.push_back(op.id());
      if (after_each) after_each(state);
    }
    out.push_back(std::move(state));
  }
  return out;
}

}  // namespace fulei::crdt::testing

#endif  // FULEI_TESTS_CRDT_RANDOM_OPS_H_
