// Store write calls: ApplyBatch, WriteLocal, and the small tables (outbox acks, identity,
// peers, audit). Each is one write transaction through Impl::RunWrite.
#include <algorithm>
#include <future>
#include <map>
#include <numeric>
#include <system_error>

#include "crdt/codec.h"
#include "store/internal/batch.h"
#include "store/internal/keys.h"
#include "store/internal/store_impl.h"
#include "store/internal/value_codec.h"
#include "store/store.h"

namespace fulei::store {

using internal::Batch;
using internal::Txn;
using internal::WriteMode;

namespace {

constexpr std::string_view kHlcKey = "hlc";
constexpr std::string_view kIdentityKey = "identity";
constexpr size_t kMaxHeadBytes = 4096;
constexpr size_t kMaxBlobBytes = size_t{1} << 20;

Status WriteHlc(Store::Impl& s, Txn& txn, crdt::Stamp stamp) {
  FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.meta, kHlcKey));
  if (stored) {
    FULEI_ASSIGN_OR_RETURN(std::string_view plain,
                           internal::Unchecked(internal::kMetaDb, kHlcKey, *stored));
    internal::KeyReader r(plain);
    crdt::Stamp old;
    FULEI_ASSIGN_OR_RETURN(old.ms, r.ReadU64());
    FULEI_ASSIGN_OR_RETURN(old.logical, r.ReadU32());
    if (!(old < stamp)) return Status::Ok();
  }
  std::string v;
  internal::AppendU64(&v, stamp.ms);
  internal::AppendU32(&v, stamp.logical);
  return txn.Put(s.dbs.meta, kHlcKey, internal::Checked(internal::kMetaDb, kHlcKey, v));
}

Status CheckHead(const ChainHead& h) {
  if (h.scope.empty() || h.scope.size() > crdt::kMaxKeyPartBytes || h.origin == 0 || h.seq == 0 ||
      h.head.size() > kMaxHeadBytes) {
    return InvalidArgument("malformed chain head");
  }
  return Status::Ok();
}

Status WriteHeads(Store::Impl& s, Txn& txn, const std::vector<ChainHead>& heads) {
  for (const auto& h : heads) {
    std::string hk = internal::OpKey(h.scope, h.origin, h.seq);
    FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(s.dbs.heads, hk));
    if (stored) continue;  // a head is a signature over a fixed chain: the first one stays
    std::string v;
    internal::AppendU64(&v, h.seq);
    v += h.head;
    FULEI_RETURN_IF_ERROR(txn.Put(s.dbs.heads, hk, internal::Checked(internal::kHeadsDb, hk, v)));
  }
  return Status::Ok();
}

bool ChainLess(const crdt::Op& a, const crdt::Op& b) {
  if (a.key.scope != b.key.scope) return a.key.scope < b.key.scope;
  if (a.origin != b.origin) return a.origin < b.origin;
  return a.seq < b.seq;
}

Status CheckPeerName(std::string_view peer) {
  if (peer.empty() || peer.size() > crdt::kMaxKeyPartBytes) {
    return InvalidArgument("peer name must be 1..256 bytes");
  }
  return Status::Ok();
}

}  // namespace

Result<ApplyResult> Store::ApplyBatch(std::span<const crdt::Op> ops, const ApplyOptions& options) {
  std::vector<std::string> encoded(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    Status valid = crdt::ValidateOp(ops[i]);
    if (!valid.ok()) {
      return InvalidArgument("op " + std::to_string(i) + " of the batch: " + valid.message());
    }
    encoded[i] = crdt::EncodeOp(ops[i]);
  }
  return ApplyValid(ops, encoded, options);
}

Result<ApplyResult> Store::ApplyDecoded(std::span<const crdt::Op> ops,
                                        std::span<const std::string> encoded,
                                        const ApplyOptions& options) {
  FULEI_CHECK(encoded.size() == ops.size());
#ifndef NDEBUG
  for (size_t i = 0; i < ops.size(); ++i) FULEI_CHECK(crdt::EncodeOp(ops[i]) == encoded[i]);
#endif
  return ApplyValid(ops, encoded, options);
}

Result<ApplyResult> Store::ApplyValid(std::span<const crdt::Op> ops,
                                      std::span<const std::string> encoded,
                                      const ApplyOptions& options) {
  bool has_urgent = false;
  for (const crdt::Op& op : ops) has_urgent = has_urgent || op.urgent();
  for (const auto& h : options.heads) FULEI_RETURN_IF_ERROR(CheckHead(h));
  for (const auto& p : options.outbox_peers) FULEI_RETURN_IF_ERROR(CheckPeerName(p));
  std::vector<size_t> order(ops.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ChainLess(ops[a], ops[b]); });

  // A large batch's op log values are packed and sealed on a helper thread while this one holds
  // the ops: sealing needs nothing from the transaction, and Batch::Finish waits for it before
  // the puts. An op that turns out a duplicate or pending wastes its seal. `sealed` is declared
  // before the future, which joins the helper, so that it outlives it.
  std::vector<std::string> sealed;
  std::future<void> sealing;
  if (ops.size() >= internal::kHelperThreadMinValues) {
    sealed.resize(ops.size());
    try {
      sealing = std::async(std::launch::async, [&] {
        for (size_t i : order) {
          const crdt::Op& op = ops[i];
          const std::string key = internal::OpKey(op.key.scope, op.origin, op.seq);
          sealed[i] = impl_->codec.Wrap(internal::kOpsDb, key, encoded[i]);
        }
      });
    } catch (const std::system_error&) {
      sealed.clear();  // no thread to be had: Finish seals
    }
  }
  const bool presealed = !sealed.empty();
  // A retried transaction (map growth, a full disk) finds the values sealed.
  auto await_sealed = [&] {
    if (sealing.valid()) sealing.get();
  };

  ApplyResult result;
  Status status = impl_->RunWrite(has_urgent, [&](Txn& txn, WriteMode mode) -> Status {
    result = ApplyResult{};
    result.outcomes.assign(ops.size(), Outcome::kRefused);
    Batch batch(*impl_, txn, options.outbox_peers);
    batch.DeferOpPuts();  // `encoded` outlives the batch
    for (size_t pos = 0; pos < order.size(); ++pos) {
      const crdt::Op& op = ops[order[pos]];
      if (mode == WriteMode::kUrgentOnly && !op.urgent()) continue;  // stays kRefused
      // The hint must name the op Hold() sees next; with refusals possible, give none.
      batch.set_next(mode == WriteMode::kAll && pos + 1 < order.size() ? &ops[order[pos + 1]]
                                                                       : nullptr);
      FULEI_ASSIGN_OR_RETURN(
          Outcome outcome,
          batch.Hold(op, encoded[order[pos]], presealed ? &sealed[order[pos]] : nullptr));
      result.outcomes[order[pos]] = outcome;
    }
    FULEI_RETURN_IF_ERROR(WriteHeads(*impl_, txn, options.heads));
    if (options.hlc_high_water) {
      FULEI_RETURN_IF_ERROR(WriteHlc(*impl_, txn, *options.hlc_high_water));
    }
    FULEI_RETURN_IF_ERROR(batch.Finish(&result.changed, await_sealed));
    result.released = batch.released();
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(status);
  for (Outcome o : result.outcomes) {
    switch (o) {
      case Outcome::kApplied:
        ++result.applied;
        break;
      case Outcome::kPending:
        ++result.pending;
        break;
      case Outcome::kDuplicate:
        ++result.duplicate;
        break;
      case Outcome::kRefused:
        ++result.refused;
        break;
    }
  }
  return result;
}

Result<std::vector<crdt::Op>> Store::WriteLocal(std::span<const LocalChange> changes,
                                                crdt::HybridClock& clock, uint64_t wall_ms,
                                                const LocalOptions& options) {
  FULEI_CHECK(impl_->options.node_id != 0);
  const crdt::NodeId self = impl_->options.node_id;
  bool has_urgent = false;
  bool all_urgent = true;
  for (const auto& c : changes) {
    bool urgent = (c.flags & crdt::kOpFlagUrgent) != 0;
    has_urgent = has_urgent || urgent;
    all_urgent = all_urgent && urgent;
  }
  for (const auto& p : options.outbox_peers) FULEI_RETURN_IF_ERROR(CheckPeerName(p));
  std::vector<crdt::Op> out;
  Status status = impl_->RunWrite(has_urgent, [&](Txn& txn, WriteMode mode) -> Status {
    if (mode == WriteMode::kUrgentOnly && !all_urgent) {
      return ResourceExhausted("disk full: only urgent local changes are accepted");
    }
    out.clear();
    out.reserve(changes.size());  // the batch points at the ops: no reallocation
    Batch batch(*impl_, txn, options.outbox_peers);
    std::map<std::string, size_t, std::less<>> last;  // scope -> index in out
    for (size_t i = 0; i < changes.size(); ++i) {
      const LocalChange& c = changes[i];
      crdt::Op op;
      op.origin = self;
      op.key = c.key;
      op.author = c.author;
      op.flags = c.flags;
      op.writes = c.writes;
      FULEI_ASSIGN_OR_RETURN(uint64_t have, batch.Contiguous(c.key.scope, self));
      op.seq = have + 1;
      op.stamp = clock.Now(wall_ms);
      if (options.link) {
        std::optional<crdt::Op> loaded;
        const crdt::Op* previous = nullptr;
        bool linked = false;
        if (auto it = last.find(c.key.scope); it != last.end()) {
          previous = &out[it->second];
        } else if (have > 0) {
          Result<crdt::Op> held = batch.LoadOp(c.key.scope, self, have);
          if (held.ok()) {
            loaded = std::move(*held);
            previous = &*loaded;
          } else if (held.status().code() == StatusCode::kCorruption) {
            // Bit rot on the chain's last op (quarantined, kept): the op links through the head
            // signed for it, so the node goes on writing (docs/store.md, "Faults and quarantine").
            const std::string key = internal::OpKey(c.key.scope, self, have);
            impl_->Note(internal::kOpsDb, key, held.status());
            FULEI_ASSIGN_OR_RETURN(auto stored, txn.Get(impl_->dbs.heads, key));
            if (!stored || !options.link_after_head) return held.status();
            FULEI_ASSIGN_OR_RETURN(std::string_view head,
                                   internal::Unchecked(internal::kHeadsDb, key, *stored));
            if (head.size() < 8) return Corruption("heads value too short");
            FULEI_RETURN_IF_ERROR(options.link_after_head(head.substr(8), op));
            linked = true;
          } else {
            return held.status();
          }
        }
        if (!linked) FULEI_RETURN_IF_ERROR(options.link(previous, op));
      }
      Status valid = crdt::ValidateOp(op);
      if (!valid.ok()) {
        return InvalidArgument("local change " + std::to_string(i) + ": " + valid.message());
      }
      std::string bytes = crdt::EncodeOp(op);
      out.push_back(std::move(op));
      FULEI_ASSIGN_OR_RETURN(Outcome outcome, batch.Hold(out.back(), bytes));
      if (outcome != Outcome::kApplied) return Internal("a local op was not applied in order");
      last[c.key.scope] = out.size() - 1;
    }
    if (options.sign_head) {
      std::vector<ChainHead> heads;
      for (const auto& [scope, index] : last) {
        const crdt::Op& op = out[index];
        FULEI_ASSIGN_OR_RETURN(std::string head, options.sign_head(op));
        heads.push_back(ChainHead{scope, op.origin, op.seq, std::move(head)});
      }
      for (const auto& h : heads) FULEI_RETURN_IF_ERROR(CheckHead(h));
      FULEI_RETURN_IF_ERROR(WriteHeads(*impl_, txn, heads));
    }
    FULEI_RETURN_IF_ERROR(WriteHlc(*impl_, txn, clock.high_water()));
    return batch.Finish(nullptr);
  });
  FULEI_RETURN_IF_ERROR(status);
  return out;
}

Status Store::AckOutbox(std::string_view peer, const crdt::OpId& id) {
  FULEI_RETURN_IF_ERROR(CheckPeerName(peer));
  std::string k = internal::OutboxKey(peer, id);
  // Counts as urgent: acknowledging must work on a full disk (it frees space).
  return impl_->RunWrite(true, [&](Txn& txn, WriteMode) { return txn.Del(impl_->dbs.outbox, k); });
}

Status Store::SetIdentity(std::string_view blob) {
  if (blob.size() > kMaxBlobBytes) return InvalidArgument("identity blob too large");
  return impl_->RunWrite(false, [&](Txn& txn, WriteMode) {
    return txn.Put(impl_->dbs.meta, kIdentityKey,
                   impl_->codec.Wrap(internal::kMetaDb, kIdentityKey, blob));
  });
}

Status Store::PutPeer(std::string_view peer, std::string_view blob) {
  FULEI_RETURN_IF_ERROR(CheckPeerName(peer));
  if (blob.size() > kMaxBlobBytes) return InvalidArgument("peer blob too large");
  std::string k;
  internal::AppendString(&k, peer);
  return impl_->RunWrite(false, [&](Txn& txn, WriteMode) {
    return txn.Put(impl_->dbs.peers, k, impl_->codec.Wrap(internal::kPeersDb, k, blob));
  });
}

Status Store::DeletePeer(std::string_view peer) {
  FULEI_RETURN_IF_ERROR(CheckPeerName(peer));
  std::string k;
  internal::AppendString(&k, peer);
  return impl_->RunWrite(true, [&](Txn& txn, WriteMode) { return txn.Del(impl_->dbs.peers, k); });
}

Result<uint64_t> Store::AppendAudit(std::span<const std::string> entries) {
  for (const auto& e : entries) {
    if (e.size() > kMaxBlobBytes) return InvalidArgument("audit entry too large");
  }
  uint64_t first = 0;
  Status txn_status = impl_->RunWrite(false, [&](Txn& txn, WriteMode) -> Status {
    internal::Cursor cur(txn, impl_->dbs.audit);
    FULEI_ASSIGN_OR_RETURN(bool any, cur.Last());
    first = 1;
    if (any) {
      internal::KeyReader r(cur.key());
      FULEI_ASSIGN_OR_RETURN(uint64_t last, r.ReadU64());
      first = last + 1;
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      std::string k = internal::AuditKey(first + i);
      FULEI_RETURN_IF_ERROR(txn.Put(
          impl_->dbs.audit, k, impl_->codec.Wrap(internal::kAuditDb, k, entries[i]), MDB_APPEND));
    }
    return Status::Ok();
  });
  FULEI_RETURN_IF_ERROR(txn_status);
  return first;
}

}  // namespace fulei::store
