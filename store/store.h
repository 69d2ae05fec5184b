// Store: a node's durable database — the op log, merged record states, version vectors, the
// urgent outbox, chain heads, peers, audit and secondary indexes — in one LMDB environment.
// Layout, encodings and policies: docs/store.md.
//
// Durability: every write call is ONE LMDB write transaction with LMDB's default durable commit
// (never MDB_NOSYNC, MDB_MAPASYNC or MDB_WRITEMAP; StoreOptions::test_only_no_sync is for one
// test). When a call returns OK, everything it wrote survives a crash or power loss (given a
// device that honours fsync; docs/store.md); when it returns an error, nothing of it was
// written. The version vector advances only together with the ops it covers.
//
// Faults, handled inside each write call:
//   - MDB_MAP_FULL: the map grows (doubling, then by 1 GiB steps, up to max_map_bytes) and the
//     call is retried from the start.
//   - Disk full (ENOSPC, or a short write while the file system is out of space): ordinary ops
//     are refused with kResourceExhausted. A reserve file (reserve_bytes) is kept next to the
//     data; when a batch holding urgent ops (Op::urgent()) hits a full disk, the reserve is
//     released and the batch is retried with its urgent ops only. Until the disk has room for
//     the reserve again, ordinary ops stay refused and urgent ops keep being accepted.
//   - MDB_PANIC (LMDB's fatal error after a failed meta write): the environment is closed and
//     reopened and the call retried once.
//   - Other I/O errors: kIoError, nothing written.
// Stale reader slots of killed processes are cleared at open (mdb_reader_check); a stale lock
// file after SIGKILL is fine.
//
// Sealing: with a Sealer, every value that may hold a person's data is packed (zero bytes
// squeezed out) and sealed with its (database, key) as associated data; keys hold no names.
// Without one (benchmarks and tools only) values carry a CRC-32C instead; structural values
// (vv, heads, outbox, indexes) always do. Bytes failing their tag or checksum are never returned.
//
// Unreadable values (bit rot; docs/store.md, "Faults and quarantine"): a call that meets one does
// not fail for it — it reads around it, and the store quarantines it (listed by Quarantined()):
// an op of another origin is dropped with the later ops of its chain and the version vector
// lowered, so the next sync fetches them again; an op of this node's own is kept in place and
// reported (its seq is never reused); a record state is rebuilt from the op log; a vv entry is
// recounted from the op log; a pending op, chain head or outbox entry is dropped. A read call
// that met one quarantines it in one write transaction of its own before it returns (so it may
// block for fsyncs then); a write call does it in its own transaction, or in the next one.
// kCorruption remains for damage the store cannot read around (LMDB's own structures, meta).
//
// Threading: thread-compatible. One thread (the node's event loop) makes all calls but Backup. Read
// callbacks run inside a read transaction and must not call a write method (CHECKed). No call
// blocks on the network; a write call blocks for its fsyncs. Inside a write call of 64 ops or
// more the store runs a helper thread for the work that needs no LMDB (packing, sealing,
// merging states; docs/store.md); it has ended when the call returns, and every LMDB call is
// made on the caller's thread.
//
// Views: the RecordKey / RecordState / bytes passed to a callback are valid only during that
// call (until the read transaction ends); everything returned by value is owned by the caller.
#ifndef FULEI_STORE_STORE_H_
#define FULEI_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/hlc.h"
#include "crdt/op.h"
#include "crdt/record.h"
#include "crdt/status.h"
#include "store/index.h"
#include "store/sealer.h"

namespace fulei::store {

// Highest contiguous seq held, per origin, for one scope.
using VersionVector = std::map<crdt::NodeId, uint64_t>;

struct StoreOptions {
  // Seals values at rest. REQUIRED on real data; nullptr (checksums only) is for benchmarks and
  // tools. A store remembers which it was created with and refuses to open the other way.
  // Not owned; must outlive the Store.
  const Sealer* sealer = nullptr;
  // This node's id; the origin of WriteLocal ops. A store created for one node refuses to open
  // for another (that would reuse sequence numbers). 0: a tool that never writes local ops.
  crdt::NodeId node_id = 0;
  size_t initial_map_bytes = size_t{64} << 20;
  size_t max_map_bytes = size_t{64} << 30;
  // Disk space held back for urgent ops when the disk fills (0: none; urgent ops then fail too).
  uint64_t reserve_bytes = uint64_t{16} << 20;
  // Secondary indexes, maintained in every write transaction. Not owned; must outlive the
  // Store. A newly registered index is built from the records at open.
  std::vector<Indexer*> indexers;
  // Bounds on ops held pending (above a gap in their chain), so that no peer can make the node
  // hold an unbounded amount of data it cannot apply yet. A batch that would hold an op beyond
  // either bound is refused whole with kResourceExhausted ("pending"); nothing of it is written.
  //   - per chain: an op is held pending only when seq <= contiguous + max_pending_per_chain, so
  //     no (scope, origin) chain ever holds more pending ops than that — except urgent ops,
  //     which travel ahead of any backlog and are bounded by the total only;
  //   - total: a batch that holds new pending ops must leave at most max_pending_ops in store.
  // Batches that only apply or release ops are never refused by these bounds. 0: unbounded.
  uint64_t max_pending_per_chain = 10'000;
  uint64_t max_pending_ops = 100'000;
  // TEST ONLY, never set by a node or a tool: opens LMDB with MDB_NOSYNC, so a commit is not
  // durable when a call returns OK — the opposite of this header's contract. It exists so that
  // the power-cut test (tests/store/store_power_cut_test.cc) can show that it catches a store
  // whose commits are not durable.
  bool test_only_no_sync = false;
};

enum class Outcome : uint8_t {
  kApplied,    // written to the op log and merged into state
  kPending,    // held durably; merged when the gap before it in its chain fills (an urgent
               // op is merged into state at once; the version vector still waits for the gap)
  kDuplicate,  // already held (applied or pending); nothing changed
  kRefused,    // not written: the disk is full and the op is not urgent
};

struct ApplyResult {
  std::vector<Outcome> outcomes;  // one per input op, in input order
  size_t applied = 0;
  size_t pending = 0;
  size_t duplicate = 0;
  size_t refused = 0;
  size_t released = 0;  // ops held pending by earlier batches that this batch made contiguous
  std::vector<crdt::RecordKey> changed;  // records whose state this batch changed, sorted
};

// A signed chain head of one (scope, origin) chain at `seq`: opaque bytes from crypto/sync.
// Every head is kept (one per commit of the origin), so batches can be cut at any of them.
struct ChainHead {
  std::string scope;
  crdt::NodeId origin = 0;
  uint64_t seq = 0;
  std::string head;
};

struct ApplyOptions {
  // Each urgent op this batch newly holds (applied or pending) is queued in the outbox for each
  // of these peers (e.g. "upstream"), in the same transaction.
  std::vector<std::string> outbox_peers;
  // Persisted as the HLC high-water mark if higher than the one stored.
  std::optional<crdt::Stamp> hlc_high_water;
  // Chain heads to keep, each under its (scope, origin, seq); one already held is kept as is.
  std::vector<ChainHead> heads;
};

// One local change; WriteLocal assigns origin, seq and stamp.
struct LocalChange {
  crdt::RecordKey key;
  std::vector<crdt::FieldWrite> writes;
  std::string author;
  uint32_t flags = 0;
};

struct LocalOptions {
  std::vector<std::string> outbox_peers;  // as ApplyOptions::outbox_peers
  // Called inside the transaction for each new op, after seq and stamp are set and before it is
  // stored, with the previous op of its chain (nullptr for seq 1): crypto/sync fill prev_hash
  // and body_hash here. A non-OK status aborts the whole call.
  std::function<Status(const crdt::Op* previous, crdt::Op& op)> link;
  // Called instead of `link` when the previous op does not read (bit rot; it is quarantined),
  // with the signed chain head held for it (every WriteLocal keeps one for its last op per
  // scope): fills prev_hash from the head's hash, and body_hash. Unset, or no head held for it:
  // the call fails with kCorruption.
  std::function<Status(std::string_view previous_head, crdt::Op& op)> link_after_head;
  // Called inside the transaction with the last new op of each scope's chain, after `link`:
  // returns the signed chain head to keep for it (crypto::EncodeSignedHead). Non-OK aborts.
  std::function<Result<std::string>(const crdt::Op& last)> sign_head;
};

// Ops of one scope that a peer lacks, in (origin, seq) order, as canonical bytes.
struct OpBytes {
  crdt::NodeId origin = 0;
  uint64_t seq = 0;
  std::string bytes;  // crdt::EncodeOp output
};
struct OpsChunk {
  std::vector<OpBytes> ops;
  bool more = false;  // true when limits cut the chunk short: advance the vector and ask again
};

struct OutboxEntry {
  crdt::OpId id;
  std::string bytes;  // the op's canonical bytes
};

struct IntegrityReport {
  uint64_t ops = 0, pending = 0, records = 0, chains = 0, outbox = 0, index_entries = 0;
  uint64_t quarantined = 0;           // entries in the quarantine (Store::Quarantined)
  std::vector<std::string> problems;  // empty when the store is sound (capped at 100)
  bool ok() const { return problems.empty(); }
};

// What the store did with an unreadable value (docs/store.md, "Faults and quarantine").
enum class QuarantineAction : uint8_t {
  kRefetch = 1,   // an op of another origin: dropped with the later ops of its chain, the
                  // version vector lowered to the op before it; the next sync fetches them again
  kKept = 2,      // an op of this node's own: left in place and never sent (its seq is never
                  // reused); it can only come back from a copy (ApplyBatch repairs it in place)
  kRebuilt = 3,   // a record state replayed from the op log, or a vv entry recounted from it
  kDropped = 4,   // a pending op or chain head (sync brings it again), or an outbox entry (its op
                  // travels by ordinary sync)
  kRepaired = 5,  // an unreadable op replaced by the same op received again
};

struct QuarantineEntry {
  std::string db;   // the database the value was in: "ops", "pending", "state", "vv", ...
  std::string key;  // its key, readable ("scope/origin/seq", "scope|type|id", ...); no values
  QuarantineAction action = QuarantineAction::kKept;
  bool urgent = false;  // an op an outbox names: an urgent op (a report, a receipt...)
  std::string reason;   // why it did not read (names the database and key, never a value)
};

struct QuarantineReport {
  uint64_t count = 0;                    // entries held
  std::vector<QuarantineEntry> entries;  // the first `limit` of them, by (db, key)
};

struct StoreStats {
  uint64_t map_bytes = 0;     // current map size
  uint64_t file_bytes = 0;    // data.mdb size on disk
  uint64_t used_bytes = 0;    // pages in use * page size
  bool reserve_held = false;  // false: disk full, only urgent ops accepted
  uint64_t map_growths = 0;   // since open
  uint64_t env_reopens = 0;   // MDB_PANIC recoveries since open
};

class Store {
 public:
  // Opens (creating if needed) the store in directory `dir` (created if absent).
  // Errors: kFailedPrecondition (wrong node, sealed/unsealed mismatch, newer schema),
  // kUnauthenticated (sealer holds another key), kCorruption, kIoError.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // ---- writes (each one write transaction) ----

  // Applies ops from anywhere (sync, import) — see the header comment for the guarantees.
  // Every op must pass crdt::ValidateOp, else kInvalidArgument and nothing is written. An op
  // whose (scope, origin, seq) is held with another header is an equivocation: kInvalidArgument.
  // Copies with the same header, one erased, are not (docs/store.md, "Erased ops"): the body
  // arriving where an erased copy is held is a duplicate and stays out; an erased copy carrying
  // an erasure authorisation (REQUIRES: the caller verified it, crypto/erasure.h) replaces a held
  // body (kApplied, or kPending where it waits) and the record's state is rebuilt from its op
  // log; one without an authorisation cannot replace a body (kInvalidArgument).
  // kResourceExhausted when the disk is full and the batch holds no urgent op, or when it would
  // hold more pending ops than StoreOptions::max_pending_per_chain / max_pending_ops allow.
  Result<ApplyResult> ApplyBatch(std::span<const crdt::Op> ops, const ApplyOptions& options = {});
  // The same for ops that arrive as bytes (sync): encoded[i] is what crdt::DecodeOp read ops[i]
  // from. DecodeOp validates and accepts only the canonical encoding, so those bytes are what
  // ApplyBatch would make: the store keeps them rather than validating and encoding again.
  // REQUIRES: encoded.size() == ops.size() and encoded[i] == crdt::EncodeOp(ops[i]) (checked in
  // debug builds).
  Result<ApplyResult> ApplyDecoded(std::span<const crdt::Op> ops,
                                   std::span<const std::string> encoded,
                                   const ApplyOptions& options = {});

  // Makes this node's own ops: per change, seq = next in (node_id, scope), stamp = clock.Now,
  // then applies them and persists clock.high_water() in the same transaction. Returns the ops
  // as stored. REQUIRES: node_id != 0. On error the clock may have advanced (stamps unused).
  Result<std::vector<crdt::Op>> WriteLocal(std::span<const LocalChange> changes,
                                           crdt::HybridClock& clock, uint64_t wall_ms,
                                           const LocalOptions& options = {});

  // Removes an outbox entry once the peer acknowledged the op (OK when absent).
  Status AckOutbox(std::string_view peer, const crdt::OpId& id);
  // Node identity blob (opaque, sealed) — written by the node at enrolment.
  Status SetIdentity(std::string_view blob);
  // Peers: opaque sealed blobs by peer name.
  Status PutPeer(std::string_view peer, std::string_view blob);
  Status DeletePeer(std::string_view peer);
  // Appends entries to the audit log (append-only, sealed); returns the first new number.
  Result<uint64_t> AppendAudit(std::span<const std::string> entries);

  // ---- reads (each one read transaction) ----
  // An unreadable value never fails a read; how each read goes around one is said below.

  // A state that does not read is replayed from the op log (and rewritten: kRebuilt).
  Result<std::optional<crdt::RecordState>> Get(const crdt::RecordKey& key);
  // Calls fn for each record of `type` whose scope is `scope_prefix` or below it
  // ("a/b" covers "a/b" and "a/b/c", not "a/bc"); "" covers every scope. Stops when fn returns
  // false. Order: by scope, then id.
  Status ForEach(std::string_view type, std::string_view scope_prefix,
                 const std::function<bool(const crdt::RecordKey&, const crdt::RecordState&)>& fn);
  Result<VersionVector> GetVersionVector(std::string_view scope);
  // Scopes with at least one op held.
  Result<std::vector<std::string>> Scopes();
  // Ops of `scope` above `theirs`, at most max_ops / about max_bytes per chunk. An origin's run
  // stops before an op that does not read (the chunk goes on with the other origins).
  Result<OpsChunk> OpsSince(std::string_view scope, const VersionVector& theirs,
                            size_t max_ops = 1000, size_t max_bytes = size_t{4} << 20);
  // The op (scope, origin, seq) if held (applied or pending), as canonical bytes; nullopt when
  // it does not read either.
  Result<std::optional<std::string>> GetOp(std::string_view scope, crdt::NodeId origin,
                                           uint64_t seq);
  // The ops (scope, origin, first..last) in one read transaction, in seq order, stopping at the
  // first one not held or not readable: the result holds seqs first..first+size()-1.
  Result<std::vector<std::string>> GetOps(std::string_view scope, crdt::NodeId origin,
                                          uint64_t first, uint64_t last);
  Result<uint64_t> PendingCount();
  // The urgent ops queued for `peer`, oldest first. Entries whose op does not read, or is not
  // held (dropped to be fetched again), are left out and stay queued.
  Result<std::vector<OutboxEntry>> Outbox(std::string_view peer, size_t limit = 1000);
  // The newest head of (scope, origin), if any.
  Result<std::optional<ChainHead>> GetHead(std::string_view scope, crdt::NodeId origin);
  // The held head of (scope, origin) with the smallest seq >= `seq`, / the largest seq <= `seq`.
  Result<std::optional<ChainHead>> HeadAtOrAbove(std::string_view scope, crdt::NodeId origin,
                                                 uint64_t seq);
  Result<std::optional<ChainHead>> HeadAtOrBelow(std::string_view scope, crdt::NodeId origin,
                                                 uint64_t seq);
  Result<std::optional<std::string>> Identity();
  Result<std::optional<std::string>> GetPeer(std::string_view peer);
  // Audit entries numbered >= from, at most limit.
  Result<std::vector<std::pair<uint64_t, std::string>>> ReadAudit(uint64_t from, size_t limit);
  // The HLC high-water mark persisted by WriteLocal / ApplyOptions; Restore() the clock with it.
  Result<crdt::Stamp> HlcHighWater();
  // Operator recovery of a node whose clock was pushed into the future (docs/store.md, "Clock
  // recovery"): sets the persisted high-water mark to `to`, lowering it if need be (WriteLocal
  // and ApplyOptions only ever raise it). Returns the mark it replaced. REQUIRES: no node runs
  // on this store — its clock in memory would write the old mark back with its next batch; the
  // node restores the new mark when it opens. Ops already stamped stay as they are. Errors: the
  // store's; kCorruption when the mark held does not decode (it is replaced all the same).
  Result<crdt::Stamp> ResetHlcHighWater(crdt::Stamp to);
  // Index entries of index `name` whose key starts with `prefix`, in key order; stops when fn
  // returns false. kNotFound for an unregistered index.
  Status ScanIndex(std::string_view name, std::string_view prefix,
                   const std::function<bool(std::string_view key, std::string_view value)>& fn);

  // ---- maintenance ----

  // Walks every database: keys parse, values open, ops decode and sit under their own key,
  // chains are contiguous from 1 to vv, pending ops lie beyond vv + 1, state equals a replay of
  // the op log, outbox entries name held ops, indexes equal a rebuild. Memory: one scope's
  // records at a time (plus the index being checked).
  Result<IntegrityReport> CheckIntegrity();
  // Reads every op, pending op, record state, vv entry, chain head and outbox entry and
  // quarantines each one that does not read (as the header comment says), then returns the
  // quarantine. One read pass (every value opened), then one write transaction.
  Result<QuarantineReport> Scrub(size_t limit = 1000);
  // The quarantine: every value found unreadable so far and what was done with it. Entries stay
  // (as the record of a failing card) until ClearQuarantine; a kKept op that still does not read
  // is quarantined again when next met.
  Result<QuarantineReport> Quarantined(size_t limit = 1000);
  Status ClearQuarantine();
  // Hot, consistent, compacted copy (mdb_env_copy2 + MDB_CP_COMPACT) into `dir` (created if
  // absent; must not hold a data.mdb), fsynced. Writes may continue meanwhile. Thread-safe: the
  // one call that may run on another thread while the store is in use (the daemon copies there
  // so that sync never waits on a backup).
  Status Backup(const std::string& dir);
  // Makes this store (a restored backup of another node, opened with node_id 0) the store of
  // `node`: from now on it opens only for `node`, whose ops start at sequence 1 of each scope.
  // kFailedPrecondition when the store already holds ops of `node` (their sequence numbers would
  // be reused) or was opened with a node id.
  Status Adopt(crdt::NodeId node);
  Result<StoreStats> Stats();

  const std::string& dir() const;

  struct Impl;  // opaque to users; store/internal/store_impl.h (private to store/)

 private:
  Result<ApplyResult> ApplyValid(std::span<const crdt::Op> ops,
                                 std::span<const std::string> encoded, const ApplyOptions& options);
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fulei::store

#endif  // FULEI_STORE_STORE_H_
