// Store maintenance: the integrity check and hot backup.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "store/internal/batch.h"
#include "store/internal/keys.h"
#include "store/internal/quarantine.h"
#include "store/internal/store_impl.h"
#include "store/internal/value_codec.h"
#include "store/store.h"

namespace fulei::store {

using internal::Cursor;
using internal::Txn;

// ---------------------------------------------------------------- quarantine (docs/store.md)

namespace internal {
namespace {

constexpr size_t kMaxReasonBytes = 512;

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string QuarantineKey(std::string_view db, std::string_view key) {
  std::string k;
  AppendString(&k, db);
  k.append(key);
  return k;
}

// A value's key as the operator reads it; hex when it does not parse.
std::string DescribeKey(std::string_view db, std::string_view key) {
  if (db == kOpsDb || db == kPendingDb || db == kHeadsDb) {
    if (auto p = ParseOpKey(key); p.ok()) {
      return p->scope + "/" + std::to_string(p->origin) + "/" + std::to_string(p->seq);
    }
  } else if (db == kVvDb) {
    if (auto p = ParseChainKey(key); p.ok()) return p->scope + "/" + std::to_string(p->origin);
  } else if (db == kStateDb) {
    if (auto p = ParseStateKey(key); p.ok()) return p->ToString();
  } else if (db == kOutboxDb) {
    if (auto p = ParseOutboxKey(key); p.ok()) return p->peer + " " + p->id.ToString();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : key) {
    out.push_back(kHex[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kHex[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

Result<uint64_t> ReadSeq(std::string_view db, std::string_view key, std::string_view stored) {
  FULEI_ASSIGN_OR_RETURN(std::string_view plain, Unchecked(db, key, stored));
  KeyReader r(plain);
  FULEI_ASSIGN_OR_RETURN(uint64_t seq, r.ReadU64());
  FULEI_RETURN_IF_ERROR(r.ExpectDone());
  return seq;
}

bool Own(const Store::Impl& s, crdt::NodeId origin) {
  return s.options.node_id != 0 && origin == s.options.node_id;
}

// The contiguous seq of (scope, origin) as stored, or recounted when its vv entry is unreadable.
Result<uint64_t> ChainSeq(Store::Impl& s, Txn& txn, std::string_view scope, crdt::NodeId origin) {
  const std::string ck = ChainKey(scope, origin);
  FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.vv, ck));
  if (!stored) return uint64_t{0};
  Result<uint64_t> seq = ReadSeq(kVvDb, ck, *stored);
  if (seq.ok()) return seq;
  s.Note(kVvDb, ck, seq.status());
  return RecountChain(s, txn, scope, origin);
}

Status PutSeq(Store::Impl& s, Txn& txn, const std::string& ck, uint64_t seq) {
  if (seq == 0) return txn.Del(s.dbs.vv, ck);
  std::string v;
  AppendU64(&v, seq);
  return txn.Put(s.dbs.vv, ck, Checked(kVvDb, ck, v));
}

Result<std::optional<QuarantineAction>> QuarantineOp(Store::Impl& s, Txn& txn,
                                                     const Unreadable& u) {
  using Action = std::optional<QuarantineAction>;
  Result<OpKeyParts> parts = ParseOpKey(u.key);
  if (!parts.ok()) return Action();  // reads only note keys they parsed
  FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.ops, u.key));
  std::string why = u.why;
  if (stored) {
    Result<crdt::Op> op = DecodeStoredOp(s, kOpsDb, u.key, *stored);
    if (op.ok()) return Action();  // repaired since it was noted
    why = op.status().ToString();
  }
  FULEI_ASSIGN_OR_RETURN(uint64_t vv, ChainSeq(s, txn, parts->scope, parts->origin));
  // Missing only matters below the vector (a drop before it may have removed it already).
  if (!stored && parts->seq > vv) return Action();
  if (Own(s, parts->origin)) {
    // Never dropped: lowering the vector would make WriteLocal issue this seq again.
    FULEI_RETURN_IF_ERROR(
        PutQuarantine(s, txn, kOpsDb, u.key, QuarantineAction::kKept, u.urgent, why));
    return Action(QuarantineAction::kKept);
  }
  // The version vector is contiguous: this op and every later one of its chain go, and the
  // vector says seq - 1, so the next sync brings them all again. States keep what they merged
  // (merging them again changes nothing); heads stay (sync brings the same ones).
  FULEI_RETURN_IF_ERROR(DropOpsFrom(s, txn, parts->scope, parts->origin, parts->seq));
  if (parts->seq <= vv) {
    FULEI_RETURN_IF_ERROR(PutSeq(s, txn, ChainKey(parts->scope, parts->origin), parts->seq - 1));
  }
  FULEI_RETURN_IF_ERROR(
      PutQuarantine(s, txn, kOpsDb, u.key, QuarantineAction::kRefetch, u.urgent, why));
  return Action(QuarantineAction::kRefetch);
}

Result<std::optional<QuarantineAction>> QuarantinePending(Store::Impl& s, Txn& txn,
                                                          const Unreadable& u) {
  using Action = std::optional<QuarantineAction>;
  FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.pending, u.key));
  if (!stored) return Action();
  Result<crdt::Op> op = DecodeStoredOp(s, kPendingDb, u.key, *stored);
  if (op.ok()) return Action();
  const std::string why = op.status().ToString();
  FULEI_RETURN_IF_ERROR(txn.Del(s.dbs.pending, u.key));  // it comes again with the gap's ops
  FULEI_RETURN_IF_ERROR(
      PutQuarantine(s, txn, kPendingDb, u.key, QuarantineAction::kDropped, u.urgent, why));
  return Action(QuarantineAction::kDropped);
}

Result<std::optional<QuarantineAction>> QuarantineState(Store::Impl& s, Txn& txn,
                                                        const Unreadable& u, bool* states_rebuilt) {
  using Action = std::optional<QuarantineAction>;
  FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.state, u.key));
  if (!stored) return Action();
  Result<crdt::RecordState> state = DecodeState(s, u.key, *stored);
  if (state.ok()) return Action();
  const std::string why = state.status().ToString();
  Result<crdt::RecordKey> key = ParseStateKey(u.key);
  std::optional<crdt::RecordState> replayed;
  if (key.ok()) {
    FULEI_ASSIGN_OR_RETURN(replayed, ReplayRecord(s, txn, *key));
  }
  if (replayed) {
    FULEI_RETURN_IF_ERROR(txn.Put(s.dbs.state, u.key, EncodeState(s, u.key, *replayed)));
  } else {
    FULEI_RETURN_IF_ERROR(txn.Del(s.dbs.state, u.key));  // no op held makes it
  }
  *states_rebuilt = true;
  FULEI_RETURN_IF_ERROR(
      PutQuarantine(s, txn, kStateDb, u.key, QuarantineAction::kRebuilt, false, why));
  return Action(QuarantineAction::kRebuilt);
}

Result<std::optional<QuarantineAction>> QuarantineVv(Store::Impl& s, Txn& txn,
                                                     const Unreadable& u) {
  using Action = std::optional<QuarantineAction>;
  FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.vv, u.key));
  if (!stored) return Action();
  Result<uint64_t> seq = ReadSeq(kVvDb, u.key, *stored);
  if (seq.ok()) return Action();
  const std::string why = seq.status().ToString();
  Result<ChainKeyParts> parts = ParseChainKey(u.key);
  if (!parts.ok()) return Action();
  FULEI_ASSIGN_OR_RETURN(uint64_t recounted, RecountChain(s, txn, parts->scope, parts->origin));
  // Ops beyond a gap of another origin's chain go too (ops holds exactly 1..vv).
  if (!Own(s, parts->origin)) {
    FULEI_RETURN_IF_ERROR(DropOpsFrom(s, txn, parts->scope, parts->origin, recounted + 1));
  }
  FULEI_RETURN_IF_ERROR(PutSeq(s, txn, u.key, recounted));
  FULEI_RETURN_IF_ERROR(
      PutQuarantine(s, txn, kVvDb, u.key, QuarantineAction::kRebuilt, false, why));
  return Action(QuarantineAction::kRebuilt);
}

Result<std::optional<QuarantineAction>> QuarantineHead(Store::Impl& s, Txn& txn,
                                                       const Unreadable& u) {
  using Action = std::optional<QuarantineAction>;
  FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.heads, u.key));
  if (!stored) return Action();
  Result<std::string_view> plain = Unchecked(kHeadsDb, u.key, *stored);
  if (plain.ok() && plain->size() >= 8) return Action();
  const std::string why =
      plain.ok() ? std::string("heads value too short") : plain.status().ToString();
  FULEI_RETURN_IF_ERROR(txn.Del(s.dbs.heads, u.key));
  FULEI_RETURN_IF_ERROR(
      PutQuarantine(s, txn, kHeadsDb, u.key, QuarantineAction::kDropped, false, why));
  return Action(QuarantineAction::kDropped);
}

Result<std::optional<QuarantineAction>> QuarantineOutbox(Store::Impl& s, Txn& txn,
                                                         const Unreadable& u) {
  using Action = std::optional<QuarantineAction>;
  FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.outbox, u.key));
  if (!stored) return Action();
  std::string why;
  Result<std::string_view> ref = Unchecked(kOutboxDb, u.key, *stored);
  Result<OutboxKeyParts> parts = ParseOutboxKey(u.key);
  if (!ref.ok()) {
    why = ref.status().ToString();
  } else {
    // A readable entry stays unless it names another op than its key says.
    const std::string ref_key(*ref);
    FULEI_ASSIGN_OR_RETURN(auto held, txn.Get(s.dbs.ops, ref_key));
    std::string_view db = kOpsDb;
    if (!held) {
      db = kPendingDb;
      FULEI_ASSIGN_OR_RETURN(held, txn.Get(s.dbs.pending, ref_key));
    }
    if (!held || !parts.ok()) return Action();
    Result<crdt::Op> op = DecodeStoredOp(s, db, ref_key, *held);
    if (!op.ok() || op->id() == parts->id) return Action();  // an unreadable op is noted itself
    why = "outbox entry names another op";
  }
  FULEI_RETURN_IF_ERROR(txn.Del(s.dbs.outbox, u.key));
  FULEI_RETURN_IF_ERROR(
      PutQuarantine(s, txn, kOutboxDb, u.key, QuarantineAction::kDropped, true, why));
  return Action(QuarantineAction::kDropped);
}

}  // namespace

Status DropOpsFrom(Store::Impl& s, Txn& txn, std::string_view scope, crdt::NodeId origin,
                   uint64_t from) {
  const std::string ck = ChainKey(scope, origin);
  std::vector<std::string> keys;
  {
    Cursor cur(txn, s.dbs.ops);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(OpKey(scope, origin, from)));
    while (more && HasPrefix(cur.key(), ck)) {
      keys.emplace_back(cur.key());
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
  }
  for (const std::string& k : keys) FULEI_RETURN_IF_ERROR(txn.Del(s.dbs.ops, k));
  return Status::Ok();
}

Status PutQuarantine(Store::Impl& s, Txn& txn, std::string_view db, std::string_view key,
                     QuarantineAction action, bool urgent, std::string_view why) {
  const std::string k = QuarantineKey(db, key);
  FULEI_ASSIGN_OR_RETURN(auto held, txn.Get(s.dbs.quarantine, k));
  if (held) {  // an op once named by an outbox stays marked urgent
    Result<std::string_view> plain = Unchecked(kQuarantineDb, k, *held);
    if (plain.ok() && plain->size() >= 2 && ((*plain)[1] & 1) != 0) urgent = true;
  }
  std::string v;
  v.push_back(static_cast<char>(action));
  v.push_back(urgent ? '\x01' : '\x00');
  v.append(why.substr(0, kMaxReasonBytes));
  return txn.Put(s.dbs.quarantine, k, Checked(kQuarantineDb, k, v));
}

Result<std::optional<QuarantineAction>> QuarantineValue(Store::Impl& s, Txn& txn,
                                                        const Unreadable& u, bool* states_rebuilt) {
  if (u.db == kOpsDb) return QuarantineOp(s, txn, u);
  if (u.db == kPendingDb) return QuarantinePending(s, txn, u);
  if (u.db == kStateDb) return QuarantineState(s, txn, u, states_rebuilt);
  if (u.db == kVvDb) return QuarantineVv(s, txn, u);
  if (u.db == kHeadsDb) return QuarantineHead(s, txn, u);
  if (u.db == kOutboxDb) return QuarantineOutbox(s, txn, u);
  return std::optional<QuarantineAction>();
}

Result<std::optional<crdt::RecordState>> ReplayRecord(Store::Impl& s, Txn& txn,
                                                      const crdt::RecordKey& key) {
  std::optional<crdt::RecordState> state;
  std::string prefix;
  AppendString(&prefix, key.scope);
  for (const bool pending : {false, true}) {
    const std::string_view db = pending ? kPendingDb : kOpsDb;
    Cursor cur(txn, pending ? s.dbs.pending : s.dbs.ops);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(prefix));
    while (more && HasPrefix(cur.key(), prefix)) {
      Result<crdt::Op> op = DecodeStoredOp(s, db, cur.key(), cur.value());
      if (!op.ok()) {
        s.Note(db, cur.key(), op.status());
      } else if (op->key == key && (!pending || op->urgent())) {
        if (!state) state.emplace();
        state->Apply(*op);
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
  }
  return state;
}

Result<uint64_t> RecountChain(Store::Impl& s, Txn& txn, std::string_view scope,
                              crdt::NodeId origin) {
  const std::string ck = ChainKey(scope, origin);
  uint64_t contiguous = 0, highest = 0;
  {
    Cursor cur(txn, s.dbs.ops);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(ck));
    while (more && HasPrefix(cur.key(), ck)) {
      FULEI_ASSIGN_OR_RETURN(OpKeyParts parts, ParseOpKey(cur.key()));
      if (parts.seq == contiguous + 1) contiguous = parts.seq;
      highest = std::max(highest, parts.seq);
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
  }
  if (!Own(s, origin)) return contiguous;
  // The node's own chain: never below a seq it has issued (a signed head names each commit's).
  Cursor cur(txn, s.dbs.heads);
  FULEI_ASSIGN_OR_RETURN(bool more, cur.Seek(ck));
  while (more && HasPrefix(cur.key(), ck)) {
    FULEI_ASSIGN_OR_RETURN(OpKeyParts parts, ParseOpKey(cur.key()));
    highest = std::max(highest, parts.seq);
    FULEI_ASSIGN_OR_RETURN(more, cur.Next());
  }
  return highest;
}

Status RebuildIndexes(Store::Impl& s, Txn& txn) {
  for (const IndexSlot& slot : s.indexes) {
    int rc = mdb_drop(txn.raw(), slot.dbi, 0);
    if (rc != 0) return txn.Fail(rc, "mdb_drop " + slot.db_name);
    Cursor cur(txn, s.dbs.state);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      Result<crdt::RecordKey> key = ParseStateKey(cur.key());
      Result<crdt::RecordState> state = DecodeState(s, cur.key(), cur.value());
      if (!state.ok()) s.Note(kStateDb, cur.key(), state.status());
      if (key.ok() && state.ok()) {
        IndexWriterImpl writer(txn, slot);
        FULEI_RETURN_IF_ERROR(slot.indexer->OnChange(*key, nullptr, *state, writer));
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
  }
  return Status::Ok();
}

}  // namespace internal

void Store::Impl::Note(std::string_view db, std::string_view key, const Status& why, bool urgent) {
  auto k = std::make_pair(std::string(db), std::string(key));
  if (auto it = kept.find(k); it != kept.end() && (it->second || !urgent)) return;
  if (auto it = noted.find(k); it != noted.end()) {
    it->second.urgent = it->second.urgent || urgent;
    return;
  }
  if (noted.size() >= kMaxNoted) return;
  noted.emplace(std::move(k),
                internal::Unreadable{std::string(db), std::string(key), why.ToString(), urgent});
}

Status Store::Impl::QuarantineNoted() {
  if (quarantining || in_write || read_depth != 0) return Status::Ok();
  quarantining = true;
  Status status;
  // Values met while quarantining (the replay of a state meets an unreadable op) are dealt with
  // in the next round.
  for (int round = 0; round < 4 && !noted.empty(); ++round) {
    auto batch = std::exchange(noted, {});
    std::vector<std::pair<std::pair<std::string, std::string>, bool>> newly_kept;
    status = RunWriteAttempts(true, [&](Txn& txn, internal::WriteMode) -> Status {
      newly_kept.clear();
      bool states_rebuilt = false;
      for (const auto& [k, u] : batch) {
        FULEI_ASSIGN_OR_RETURN(std::optional<QuarantineAction> action,
                               internal::QuarantineValue(*this, txn, u, &states_rebuilt));
        if (action == QuarantineAction::kKept) newly_kept.emplace_back(k, u.urgent);
      }
      if (states_rebuilt) FULEI_RETURN_IF_ERROR(internal::RebuildIndexes(*this, txn));
      return Status::Ok();
    });
    if (!status.ok()) {  // tried again after the next call that meets them
      for (auto& entry : batch) noted.insert(std::move(entry));
      break;
    }
    for (const auto& [k, urgent] : newly_kept) kept[k] = kept[k] || urgent;
  }
  quarantining = false;
  return status;
}

Result<QuarantineReport> Store::Quarantined(size_t limit) {
  QuarantineReport report;
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    report = QuarantineReport{};
    FULEI_ASSIGN_OR_RETURN(report.count, txn.Entries(impl_->dbs.quarantine));
    Cursor cur(txn, impl_->dbs.quarantine);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more && report.entries.size() < limit) {
      QuarantineEntry e;
      internal::KeyReader r(cur.key());
      Result<std::string> db = r.ReadString();
      std::string prefix;
      if (db.ok()) internal::AppendString(&prefix, *db);
      const std::string_view key = cur.key().substr(prefix.size());
      e.db = db.ok() ? *db : std::string("?");
      e.key = internal::DescribeKey(e.db, key);
      Result<std::string_view> plain =
          internal::Unchecked(internal::kQuarantineDb, cur.key(), cur.value());
      if (plain.ok() && plain->size() >= 2) {
        e.action = static_cast<QuarantineAction>((*plain)[0]);
        e.urgent = ((*plain)[1] & 1) != 0;
        e.reason = std::string(plain->substr(2));
      } else {
        e.reason = "the quarantine entry itself does not read";
      }
      report.entries.push_back(std::move(e));
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return report;
}

Status Store::ClearQuarantine() {
  FULEI_RETURN_IF_ERROR(impl_->RunWrite(true, [&](Txn& txn, internal::WriteMode) -> Status {
    int rc = mdb_drop(txn.raw(), impl_->dbs.quarantine, 0);
    if (rc != 0) return txn.Fail(rc, "mdb_drop quarantine");
    return Status::Ok();
  }));
  impl_->kept.clear();  // an op still unreadable is quarantined again when next met
  return Status::Ok();
}

Result<QuarantineReport> Store::Scrub(size_t limit) {
  // One pass notes what does not read; RunRead quarantines the notes when it ends. A pass that
  // filled the notes goes again (what it quarantined is gone or known by then).
  for (int pass = 0; pass < 64; ++pass) {
    bool full = false;
    Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
      Store::Impl& s = *impl_;
      for (const bool pending : {false, true}) {
        const std::string_view db = pending ? internal::kPendingDb : internal::kOpsDb;
        Cursor cur(txn, pending ? s.dbs.pending : s.dbs.ops);
        FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
        while (more) {
          Result<crdt::Op> op = internal::DecodeStoredOp(s, db, cur.key(), cur.value());
          if (!op.ok()) s.Note(db, cur.key(), op.status());
          FULEI_ASSIGN_OR_RETURN(more, cur.Next());
        }
      }
      {
        Cursor cur(txn, s.dbs.state);
        FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
        while (more) {
          Result<crdt::RecordState> state = internal::DecodeState(s, cur.key(), cur.value());
          if (!state.ok()) s.Note(internal::kStateDb, cur.key(), state.status());
          FULEI_ASSIGN_OR_RETURN(more, cur.Next());
        }
      }
      {
        Cursor cur(txn, s.dbs.vv);
        FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
        while (more) {
          Result<uint64_t> seq = internal::ReadSeq(internal::kVvDb, cur.key(), cur.value());
          if (!seq.ok()) s.Note(internal::kVvDb, cur.key(), seq.status());
          FULEI_ASSIGN_OR_RETURN(more, cur.Next());
        }
      }
      {
        Cursor cur(txn, s.dbs.heads);
        FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
        while (more) {
          Result<std::string_view> plain =
              internal::Unchecked(internal::kHeadsDb, cur.key(), cur.value());
          if (!plain.ok() || plain->size() < 8) {
            s.Note(internal::kHeadsDb, cur.key(),
                   plain.ok() ? Corruption("heads value too short") : plain.status());
          }
          FULEI_ASSIGN_OR_RETURN(more, cur.Next());
        }
      }
      {
        // An outbox entry that does not read, or whose op does not: the op is an urgent one.
        Cursor cur(txn, s.dbs.outbox);
        FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
        while (more) {
          Result<std::string_view> ref =
              internal::Unchecked(internal::kOutboxDb, cur.key(), cur.value());
          if (!ref.ok()) {
            s.Note(internal::kOutboxDb, cur.key(), ref.status());
          } else {
            const std::string ref_key(*ref);
            FULEI_ASSIGN_OR_RETURN(auto held, txn.Get(s.dbs.ops, ref_key));
            std::string_view db = internal::kOpsDb;
            if (!held) {
              db = internal::kPendingDb;
              FULEI_ASSIGN_OR_RETURN(held, txn.Get(s.dbs.pending, ref_key));
            }
            if (held) {
              Result<crdt::Op> op = internal::DecodeStoredOp(s, db, ref_key, *held);
              if (!op.ok()) s.Note(db, ref_key, op.status(), /*urgent=*/true);
            }
          }
          FULEI_ASSIGN_OR_RETURN(more, cur.Next());
        }
      }
      full = s.noted.size() >= Store::Impl::kMaxNoted;
      return Status::Ok();
    });
    FULEI_RETURN_IF_ERROR(txn_status);
    FULEI_RETURN_IF_ERROR(impl_->QuarantineNoted());  // when the one at the read's end failed
    if (!full) break;
  }
  return Quarantined(limit);
}

namespace {

constexpr size_t kMaxProblems = 100;

class Checker {
 public:
  Checker(Store::Impl& s, Txn& txn, IntegrityReport& report) : s_(s), txn_(txn), r_(report) {}

  void Problem(std::string what) {
    if (r_.problems.size() < kMaxProblems) r_.problems.push_back(std::move(what));
  }
  // Records a failed status as a problem; returns false when it did.
  bool Check(const Status& st, std::string_view where) {
    if (st.ok()) return true;
    Problem(std::string(where) + ": " + st.ToString());
    return false;
  }

  Status Run() {
    FULEI_RETURN_IF_ERROR(LoadVv());
    FULEI_RETURN_IF_ERROR(WalkOps());
    FULEI_RETURN_IF_ERROR(WalkState());
    FULEI_RETURN_IF_ERROR(WalkPending());
    FULEI_RETURN_IF_ERROR(WalkOutbox());
    FULEI_RETURN_IF_ERROR(WalkOpaque());
    for (const auto& slot : s_.indexes) FULEI_RETURN_IF_ERROR(CheckIndex(slot));
    return Status::Ok();
  }

 private:
  // LMDB-level failures (not bad bytes) stop the check: they are returned, not listed.
  Status LoadVv() {
    Cursor cur(txn_, s_.dbs.vv);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      auto parts = internal::ParseChainKey(cur.key());
      auto plain = internal::Unchecked(internal::kVvDb, cur.key(), cur.value());
      if (Check(parts.status(), "vv key") && Check(plain.status(), "vv value")) {
        internal::KeyReader rd(*plain);
        auto seq = rd.ReadU64();
        if (Check(seq.status(), "vv value")) vv_[std::string(cur.key())] = *seq;
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    r_.chains = vv_.size();
    return Status::Ok();
  }

  void FinishChain() {
    if (chain_.empty()) return;
    auto it = vv_.find(chain_);
    uint64_t vv = it == vv_.end() ? 0 : it->second;
    if (vv != chain_last_) {
      Problem("chain " + chain_scope_ + "/" + std::to_string(chain_origin_) + ": ops reach seq " +
              std::to_string(chain_last_) + " but vv says " + std::to_string(vv));
    }
    seen_chains_[chain_] = true;
    chain_.clear();
  }

  // Urgent pending ops are merged into state when first held (store.h): the replay includes
  // them. Loaded before the op log is walked; each scope's are applied as the scope finishes.
  Status LoadUrgentPending() {
    Cursor cur(txn_, s_.dbs.pending);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      auto op = internal::DecodeStoredOp(s_, internal::kPendingDb, cur.key(), cur.value());
      if (op.ok() && op->urgent()) urgent_pending_[op->key.scope].push_back(std::move(*op));
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  }

  Status FinishScope() {
    auto urgent = urgent_pending_.find(scope_);
    if (urgent != urgent_pending_.end()) {
      for (const crdt::Op& op : urgent->second) {
        std::string sk = internal::StateKey(op.key);
        replay_[sk].Apply(op);
        replay_keys_[sk] = op.key;
      }
      urgent_pending_.erase(urgent);
    }
    // Compare the replay of this scope's op log with the stored states.
    for (const auto& [sk, replayed] : replay_) {
      FULEI_ASSIGN_OR_RETURN(auto stored, txn_.Get(s_.dbs.state, sk));
      if (!stored) {
        Problem("record without state: " + replay_keys_[sk].ToString());
        continue;
      }
      auto state = internal::DecodeState(s_, sk, *stored);
      if (!Check(state.status(), "state " + replay_keys_[sk].ToString())) continue;
      if (state->Encode() != replayed.Encode()) {
        Problem("state differs from the replay of the op log: " + replay_keys_[sk].ToString());
      }
    }
    replayed_per_scope_[scope_] = replay_.size();
    replay_.clear();
    replay_keys_.clear();
    return Status::Ok();
  }

  Status WalkOps() {
    FULEI_RETURN_IF_ERROR(LoadUrgentPending());
    Cursor cur(txn_, s_.dbs.ops);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    bool any_scope = false;
    while (more) {
      ++r_.ops;
      auto parts = internal::ParseOpKey(cur.key());
      if (Check(parts.status(), "ops key")) {
        std::string chain = internal::ChainKey(parts->scope, parts->origin);
        if (!any_scope || parts->scope != scope_) {
          FinishChain();
          if (any_scope) FULEI_RETURN_IF_ERROR(FinishScope());
          scope_ = parts->scope;
          any_scope = true;
        }
        if (chain != chain_) {
          FinishChain();
          chain_ = chain;
          chain_scope_ = parts->scope;
          chain_origin_ = parts->origin;
          chain_last_ = 0;
        }
        if (parts->seq != chain_last_ + 1) {
          Problem("chain " + parts->scope + "/" + std::to_string(parts->origin) + ": seq " +
                  std::to_string(parts->seq) + " follows " + std::to_string(chain_last_));
        }
        chain_last_ = parts->seq;
        auto op = internal::DecodeStoredOp(s_, internal::kOpsDb, cur.key(), cur.value());
        if (Check(op.status(), "op " + parts->scope + "/" + std::to_string(parts->origin) + "/" +
                                   std::to_string(parts->seq))) {
          std::string sk = internal::StateKey(op->key);
          replay_[sk].Apply(*op);
          replay_keys_[sk] = op->key;
        }
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    FinishChain();
    if (any_scope) FULEI_RETURN_IF_ERROR(FinishScope());
    // Scopes whose only ops are urgent ones held ahead of a gap.
    while (!urgent_pending_.empty()) {
      scope_ = urgent_pending_.begin()->first;
      FULEI_RETURN_IF_ERROR(FinishScope());
    }
    for (const auto& [chain, seq] : vv_) {
      if (seq != 0 && !seen_chains_.count(chain)) {
        auto parts = internal::ParseChainKey(chain);
        Problem("vv names ops that are missing: " + (parts.ok() ? parts->scope : "?") + "/" +
                (parts.ok() ? std::to_string(parts->origin) : "?"));
      }
    }
    return Status::Ok();
  }

  Status WalkState() {
    std::map<std::string, uint64_t> per_scope;
    Cursor cur(txn_, s_.dbs.state);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      ++r_.records;
      auto key = internal::ParseStateKey(cur.key());
      if (Check(key.status(), "state key")) {
        ++per_scope[key->scope];
        Check(internal::DecodeState(s_, cur.key(), cur.value()).status(),
              "state " + key->ToString());
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    for (const auto& [scope, n] : per_scope) {
      auto it = replayed_per_scope_.find(scope);
      uint64_t replayed = it == replayed_per_scope_.end() ? 0 : it->second;
      if (n != replayed) {
        Problem("scope " + scope + " holds " + std::to_string(n) + " record states but its op " +
                "log makes " + std::to_string(replayed));
      }
    }
    return Status::Ok();
  }

  Status WalkPending() {
    Cursor cur(txn_, s_.dbs.pending);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      ++r_.pending;
      auto parts = internal::ParseOpKey(cur.key());
      if (Check(parts.status(), "pending key")) {
        auto it = vv_.find(internal::ChainKey(parts->scope, parts->origin));
        uint64_t vv = it == vv_.end() ? 0 : it->second;
        if (parts->seq <= vv + 1) {
          Problem("pending op " + std::to_string(parts->seq) +
                  " is not beyond vv + 1 = " + std::to_string(vv + 1) + " in " + parts->scope);
        }
        Check(internal::DecodeStoredOp(s_, internal::kPendingDb, cur.key(), cur.value()).status(),
              "pending op");
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  }

  Status WalkOutbox() {
    Cursor cur(txn_, s_.dbs.outbox);
    FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
    while (more) {
      ++r_.outbox;
      auto parts = internal::ParseOutboxKey(cur.key());
      auto ref = internal::Unchecked(internal::kOutboxDb, cur.key(), cur.value());
      if (Check(parts.status(), "outbox key") && Check(ref.status(), "outbox value")) {
        FULEI_ASSIGN_OR_RETURN(auto in_ops, txn_.Get(s_.dbs.ops, *ref));
        FULEI_ASSIGN_OR_RETURN(auto in_pending, txn_.Get(s_.dbs.pending, *ref));
        if (!in_ops && !in_pending) Problem("outbox names an op that is not held");
      }
      FULEI_ASSIGN_OR_RETURN(more, cur.Next());
    }
    return Status::Ok();
  }

  Status WalkOpaque() {
    {
      Cursor cur(txn_, s_.dbs.heads);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
      while (more) {
        Check(internal::ParseOpKey(cur.key()).status(), "heads key");
        Check(internal::Unchecked(internal::kHeadsDb, cur.key(), cur.value()).status(), "head");
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    for (auto [dbi, name] : {std::pair{s_.dbs.peers, internal::kPeersDb},
                             std::pair{s_.dbs.audit, internal::kAuditDb}}) {
      Cursor cur(txn_, dbi);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
      while (more) {
        Check(s_.codec.Unwrap(name, cur.key(), cur.value()).status(), std::string(name));
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    FULEI_ASSIGN_OR_RETURN(auto identity, txn_.Get(s_.dbs.meta, "identity"));
    if (identity) {
      Check(s_.codec.Unwrap(internal::kMetaDb, "identity", *identity).status(), "identity");
    }
    return Status::Ok();
  }

  // An index must equal what its indexer builds from the current states.
  class MemoryWriter : public IndexWriter {
   public:
    Status Put(std::string_view key, std::string_view value) override {
      entries[std::string(key)] = std::string(value);
      return Status::Ok();
    }
    Status Delete(std::string_view key) override {
      entries.erase(std::string(key));
      return Status::Ok();
    }
    Result<std::optional<std::string>> Get(std::string_view key) override {
      auto it = entries.find(std::string(key));
      if (it == entries.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    }
    std::map<std::string, std::string> entries;
  };

  Status CheckIndex(const internal::IndexSlot& slot) {
    MemoryWriter rebuilt;
    {
      Cursor cur(txn_, s_.dbs.state);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
      while (more) {
        auto key = internal::ParseStateKey(cur.key());
        auto state = internal::DecodeState(s_, cur.key(), cur.value());
        if (key.ok() && state.ok()) {
          Check(slot.indexer->OnChange(*key, nullptr, *state, rebuilt), slot.db_name);
        }
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    std::map<std::string, std::string> stored;
    {
      Cursor cur(txn_, slot.dbi);
      FULEI_ASSIGN_OR_RETURN(bool more, cur.First());
      while (more) {
        ++r_.index_entries;
        auto plain = internal::Unchecked(slot.db_name, cur.key(), cur.value());
        if (Check(plain.status(), slot.db_name)) {
          stored[std::string(cur.key())] = std::string(*plain);
        }
        FULEI_ASSIGN_OR_RETURN(more, cur.Next());
      }
    }
    if (stored != rebuilt.entries) {
      Problem(slot.db_name + " differs from a rebuild from the record states (" +
              std::to_string(stored.size()) + " entries stored, " +
              std::to_string(rebuilt.entries.size()) + " rebuilt)");
    }
    return Status::Ok();
  }

  Store::Impl& s_;
  Txn& txn_;
  IntegrityReport& r_;
  std::map<std::string, uint64_t> vv_;
  std::map<std::string, bool> seen_chains_;
  std::map<std::string, uint64_t> replayed_per_scope_;
  std::string scope_;
  std::string chain_, chain_scope_;
  crdt::NodeId chain_origin_ = 0;
  uint64_t chain_last_ = 0;
  std::map<std::string, crdt::RecordState> replay_;              // one scope at a time
  std::map<std::string, std::vector<crdt::Op>> urgent_pending_;  // scope -> urgent pending ops
  std::map<std::string, crdt::RecordKey> replay_keys_;
};

Status ErrnoStatus(std::string_view what) {
  int e = errno;
  std::string msg = std::string(what) + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return ResourceExhausted(std::move(msg));
  return IoError(std::move(msg));
}

}  // namespace

Result<IntegrityReport> Store::CheckIntegrity() {
  IntegrityReport report;
  Status txn_status = impl_->RunRead([&](Txn& txn) -> Status {
    Checker checker(*impl_, txn, report);
    FULEI_RETURN_IF_ERROR(checker.Run());
    FULEI_ASSIGN_OR_RETURN(report.quarantined, txn.Entries(impl_->dbs.quarantine));
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return report;
}

Status Store::Backup(const std::string& dir) {
  // Touches nothing of the store but its LMDB environment (mdb_env_copyfd2 opens its own read
  // transaction; MDB_NOTLS), so another thread may call it while this one reads and writes.
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir);
  std::string final_path = dir + "/data.mdb";
  std::string tmp_path = dir + "/data.mdb.tmp";
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0) return AlreadyExists(final_path + " exists");
  ::unlink(tmp_path.c_str());  // left over from an interrupted backup
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("open " + tmp_path);
  int rc = mdb_env_copyfd2(impl_->env, fd, MDB_CP_COMPACT);
  if (rc != 0) {
    ::close(fd);
    ::unlink(tmp_path.c_str());
    return internal::LmdbStatus(rc, "mdb_env_copyfd2");
  }
  if (::fsync(fd) != 0) {
    Status s = ErrnoStatus("fsync " + tmp_path);
    ::close(fd);
    ::unlink(tmp_path.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) return ErrnoStatus("rename backup");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return ErrnoStatus("open " + dir);
  rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return ErrnoStatus("fsync " + dir);
  return Status::Ok();
}

}  // namespace fulei::store
