// Random causal histories for the crdt property tests: several replicas edit a few records,
// each against its own current view, and exchange ops at random. Every op therefore names in
// `supersedes` exactly what its author could have seen, as real clients do.
#ifndef FULEI_TESTS_CRDT_HISTORY_H_
#define FULEI_TESTS_CRDT_HISTORY_H_

#include <map>
#include <random>
#include <string>
#include <vector>

#include "crdt/hlc.h"
#include "crdt/op.h"
#include "crdt/record.h"

namespace fulei::crdt::testing {

struct Replica {
  NodeId id = 0;
  HybridClock clock{1'000'000'000};
  std::map<RecordKey, RecordState> view;
  std::vector<OpId> seen;  // ops applied locally, to avoid re-applying in the generator
  std::map<std::string, uint64_t> seq;  // per scope
};

class HistoryGenerator {
 public:
  HistoryGenerator(uint64_t seed, int replicas, int records) : rng_(seed), records_(records) {
    for (int i = 0; i < replicas; ++i) {
      Replica r;
      r.id = 0x1000 + static_cast<NodeId>(i);
      replicas_.push_back(std::move(r));
    }
  }

  // Produces `steps` local edits interleaved with random deliveries; returns every op made.
  std::vector<Op> Run(int steps) {
    for (int s = 0; s < steps; ++s) {
      Replica& r = replicas_[Pick(replicas_.size())];
      if (!all_.empty() && Pick(3) == 0) {
        // Deliver a few random ops to this replica.
        for (int k = 0; k < 4; ++k) Deliver(r, all_[Pick(all_.size())]);
        continue;
      }
      all_.push_back(MakeOp(r));
      Deliver(r, all_.back());
    }
    return all_;
  }

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::mt19937_64& rng() { return rng_; }

 private:
  void Deliver(Replica& r, const Op& op) {
    (void)r.clock.Update(op.stamp, wall_);
    r.view[op.key].Apply(op);
  }

  Op MakeOp(Replica& r) {
    wall_ += Pick(3);  // coarse wall clock: many events share a millisecond
    Op op;
    op.origin = r.id;
    op.key = RecordKey{Pick(2) ? "jinjiang/cizao/v001" : "jinjiang/cizao", "child",
                       "c" + std::to_string(Pick(records_))};
    op.seq = ++r.seq[op.key.scope];
    op.stamp = r.clock.Now(wall_);
    op.author = "u" + std::to_string(Pick(4));
    const RecordState& st = r.view[op.key];
    static const char* kRegisters[] = {"name", "school", "grade"};
    switch (Pick(8)) {
      case 0:
      case 1:
      case 2: {
        const char* field = kRegisters[Pick(3)];
        op.writes.push_back(SetWrite(st, field, "v" + std::to_string(Pick(100))));
        if (std::string_view(field) != "grade" && Pick(2)) {
          op.writes.push_back(SetWrite(st, "grade", std::to_string(Pick(9))));
        }
      } break;
      case 3:
        op.writes.push_back(AddWrite("tags", "t" + std::to_string(Pick(4))));
        break;
      case 4: {
        auto w = RemoveWrite(st, "tags", "t" + std::to_string(Pick(4)));
        if (w) {
          op.writes.push_back(std::move(*w));
        } else {
          op.writes.push_back(AddWrite("tags", "t0"));
        }
        break;
      }
      case 5:
        op.writes.push_back(AppendWrite("contacts", "talk " + std::to_string(Pick(1000))));
        break;
      case 6:
        if (Pick(3) == 0) {
          op.writes = DeleteWrites(st);
        } else if (st.deleted() || st.delete_conflict()) {
          op.writes = RestoreWrites(st);
          if (op.writes.empty()) op.writes.push_back(ClearWrite(st, "school"));
        } else {
          op.writes.push_back(ClearWrite(st, "school"));
        }
        break;
      default:
        op.writes.push_back(SetWrite(st, "name", "n" + std::to_string(Pick(10))));
        break;
    }
    return op;
  }

  std::mt19937_64 rng_;
  int records_;
  uint64_t wall_ = 1'700'000'000'000;
  std::vector<Replica> replicas_;
  std::vector<Op> all_;
};

// Applies ops (routed by key) to fresh states and returns the canonical bytes per record.
inline std::map<RecordKey, std::string> Materialize(const std::vector<Op>& ops) {
  std::map<RecordKey, RecordState> states;
  for (const Op& op : ops) states[op.key].Apply(op);
  std::map<RecordKey, std::string> out;
  for (const auto& [k, s] : states) out[k] = s.Encode();
  return out;
}

}  // namespace fulei::crdt::testing

#endif  // FULEI_TESTS_CRDT_HISTORY_H_
