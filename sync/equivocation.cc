#include "sync/equivocation.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "crdt/codec.h"
#include "crypto/op_chain.h"
#include "crypto/signing.h"
#include "sync/receipts.h"

namespace fulei::sync {
namespace {

// The canonical bytes of `op` with its body (and any erasure authorisation) removed: its header
// is intact, so the chain still verifies, and no field value is copied.
std::string Headed(crdt::Op op) {
  op.erased = true;
  op.writes.clear();
  op.erasure.clear();
  return crdt::EncodeOp(op);
}

// The ops of `run` from seq `from` on, at most kMaxEvidenceOps.
SignedSide ReceivedSide(std::span<const crdt::Op> run, std::string_view head, uint64_t from) {
  SignedSide side{std::string(head), from, {}};
  for (const crdt::Op& op : run) {
    if (op.seq < from) continue;
    if (side.ops.size() == kMaxEvidenceOps) break;
    side.ops.push_back(Headed(op));
  }
  return side;
}

// What `store` holds of the chain from seq `from` up to its first signed head at or above it.
Result<SignedSide> HeldSide(store::Store& store, std::string_view scope, crdt::NodeId origin,
                            uint64_t from) {
  SignedSide side{{}, from, {}};
  FULEI_ASSIGN_OR_RETURN(std::optional<store::ChainHead> head,
                         store.HeadAtOrAbove(scope, origin, from));
  uint64_t to = from + kMaxEvidenceOps - 1;
  if (head) {
    side.head = head->head;
    to = std::min(to, head->seq);
  }
  FULEI_ASSIGN_OR_RETURN(std::vector<std::string> held, store.GetOps(scope, origin, from, to));
  for (const std::string& bytes : held) {
    FULEI_ASSIGN_OR_RETURN(crdt::Op op, crdt::DecodeOp(bytes));
    side.ops.push_back(Headed(std::move(op)));
  }
  return side;
}

Result<std::optional<crdt::Op>> HeldOp(store::Store& store, std::string_view scope,
                                       crdt::NodeId origin, uint64_t seq) {
  FULEI_ASSIGN_OR_RETURN(std::optional<std::string> bytes, store.GetOp(scope, origin, seq));
  if (!bytes) return std::optional<crdt::Op>();
  FULEI_ASSIGN_OR_RETURN(crdt::Op op, crdt::DecodeOp(*bytes));
  return std::optional<crdt::Op>(std::move(op));
}

std::string Hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string FrameOps(const std::vector<std::string>& ops) {
  std::string out;
  for (const std::string& op : ops) {
    const auto n = static_cast<uint32_t>(op.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
    out.append(op);
  }
  return out;
}

bool UnframeOps(std::string_view in, std::vector<std::string>* out) {
  while (!in.empty()) {
    if (in.size() < 4) return false;
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(in[static_cast<size_t>(i)]);
    in.remove_prefix(4);
    if (n > in.size() || out->size() == kMaxEvidenceOps) return false;
    out->emplace_back(in.substr(0, n));
    in.remove_prefix(n);
  }
  return true;
}

bool ParseU64(const std::optional<std::string>& s, int base, uint64_t* out) {
  if (!s || s->empty()) return false;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), *out, base);
  return ec == std::errc() && end == s->data() + s->size();
}

// What side `s` says op `seq` hashes to.
Result<crdt::Hash> Claim(const SignedSide& s, uint64_t seq, const crypto::Certificate& cert,
                         const std::string& scope, const char* name) {
  const std::string what = std::string(name) + " side: ";
  if (s.head.empty() || s.ops.empty() || s.from == 0) {
    return Unauthenticated(what + "no signed head or no ops");
  }
  auto head = crypto::DecodeSignedHead(s.head);
  if (!head.ok()) return Unauthenticated(what + head.status().message());
  if (head->scope != scope) return Unauthenticated(what + "a head of another scope");
  std::vector<crdt::Op> ops;
  for (const std::string& bytes : s.ops) {
    auto op = crdt::DecodeOp(bytes);
    if (!op.ok()) return Unauthenticated(what + op.status().message());
    ops.push_back(std::move(*op));
  }
  if (ops.front().seq != s.from) return Unauthenticated(what + "its first op is not at its seq");
  Status chain = crypto::VerifyChain(cert, s.from - 1, ops.front().prev_hash, ops, *head);
  if (!chain.ok()) return Unauthenticated(what + chain.message());
  if (s.from == seq) return crypto::OpHeaderHash(ops.front());
  if (s.from == seq + 1) return ops.front().prev_hash;
  return InvalidArgument(what + "says nothing about op " + std::to_string(seq));
}

}  // namespace

Result<std::optional<Equivocation>> FindEquivocation(store::Store& store,
                                                     std::span<const crdt::Op> run,
                                                     std::string_view head) {
  FULEI_CHECK(!run.empty());
  const crdt::Op& first = run.front();
  const crdt::Op& last = run.back();
  const std::string& scope = first.key.scope;
  const crdt::NodeId origin = first.origin;
  // The two sides of a conflict at `seq`: the run's from `received_from`, the store's from
  // `held_from`.
  auto conflict = [&](uint64_t seq, uint64_t received_from,
                      uint64_t held_from) -> Result<std::optional<Equivocation>> {
    Equivocation e;
    e.origin = origin;
    e.scope = scope;
    e.seq = seq;
    e.received = ReceivedSide(run, head, received_from);
    FULEI_ASSIGN_OR_RETURN(e.held, HeldSide(store, scope, origin, held_from));
    return std::optional<Equivocation>(std::move(e));
  };

  // The op before the run: the run's first op names its header hash.
  if (first.seq > 1) {
    FULEI_ASSIGN_OR_RETURN(std::optional<crdt::Op> before,
                           HeldOp(store, scope, origin, first.seq - 1));
    if (before && crypto::OpHeaderHash(*before) != first.prev_hash) {
      return conflict(first.seq - 1, first.seq, first.seq - 1);
    }
  }
  // The run's ops the store holds contiguously: equal headers at the highest one mean equal
  // chains up to it (each header names the one before). An erased copy has the same header.
  FULEI_ASSIGN_OR_RETURN(store::VersionVector vv, store.GetVersionVector(scope));
  const auto have = vv.find(origin);
  if (have != vv.end() && have->second >= first.seq) {
    const uint64_t top = std::min(have->second, last.seq);
    FULEI_ASSIGN_OR_RETURN(std::optional<crdt::Op> held, HeldOp(store, scope, origin, top));
    if (held && crypto::OpHeaderHash(*held) != crypto::OpHeaderHash(run[top - first.seq])) {
      // Name the first seq where they part.
      FULEI_ASSIGN_OR_RETURN(std::vector<std::string> ours,
                             store.GetOps(scope, origin, first.seq, top));
      uint64_t seq = top;
      for (size_t k = 0; k < ours.size(); ++k) {
        FULEI_ASSIGN_OR_RETURN(crdt::Op op, crdt::DecodeOp(ours[k]));
        if (crypto::OpHeaderHash(op) != crypto::OpHeaderHash(run[k])) {
          seq = first.seq + k;
          break;
        }
      }
      return conflict(seq, seq, seq);
    }
  }
  // The op after the run, held (pending) when the later half of a fork came first: it names
  // the header hash of the run's last op.
  if (last.seq != UINT64_MAX) {
    FULEI_ASSIGN_OR_RETURN(std::optional<crdt::Op> after,
                           HeldOp(store, scope, origin, last.seq + 1));
    if (after && after->prev_hash != crypto::OpHeaderHash(last)) {
      return conflict(last.seq, last.seq, last.seq + 1);
    }
  }
  return std::optional<Equivocation>();
}

crdt::RecordKey EvidenceKey(const Equivocation& e) {
  const auto digest = crypto::Blake2b256(e.scope);
  return crdt::RecordKey{e.unit, kEquivocationType,
                         NodeHex(e.origin) + "." + std::to_string(e.seq) + "." +
                             Hex(std::span<const uint8_t>(digest.data(), 8)) + "@" +
                             NodeHex(e.node)};
}

store::LocalChange EvidenceChange(const Equivocation& e) {
  store::LocalChange c;
  c.key = EvidenceKey(e);
  c.author = "node:" + NodeHex(e.node);
  auto set = [&](const char* field, std::string value) {
    c.writes.push_back(crdt::FieldWrite{field, crdt::WriteKind::kSet, std::move(value), {}});
  };
  set("origin", NodeHex(e.origin));
  set("scope", e.scope);
  set("seq", std::to_string(e.seq));
  set("node", NodeHex(e.node));
  set("unit", e.unit);
  set("peer", NodeHex(e.peer));
  set("detected_ms", std::to_string(e.detected_ms));
  for (const auto& [name, side] :
       {std::pair<std::string, const SignedSide*>{"received", &e.received},
        std::pair<std::string, const SignedSide*>{"held", &e.held}}) {
    set((name + "_head").c_str(), side->head);
    set((name + "_from").c_str(), std::to_string(side->from));
    set((name + "_ops").c_str(), FrameOps(side->ops));
  }
  return c;
}

Result<bool> KeepEvidence(store::Store& store, LocalWriter& writer, const Equivocation& e,
                          uint64_t now_ms) {
  FULEI_ASSIGN_OR_RETURN(std::optional<crdt::RecordState> held, store.Get(EvidenceKey(e)));
  if (held) return false;
  const store::LocalChange change = EvidenceChange(e);
  FULEI_RETURN_IF_ERROR(
      writer.Write(std::span<const store::LocalChange>(&change, 1), now_ms).status());
  return true;
}

Result<std::vector<Equivocation>> ListEquivocations(store::Store& store,
                                                    std::string_view scope_prefix) {
  std::vector<Equivocation> out;
  FULEI_RETURN_IF_ERROR(store.ForEach(
      kEquivocationType, scope_prefix, [&](const crdt::RecordKey&, const crdt::RecordState& state) {
        Equivocation e;
        auto scope = state.Get("scope");
        auto unit = state.Get("unit");
        if (!scope || !unit || !ParseU64(state.Get("origin"), 16, &e.origin) ||
            !ParseU64(state.Get("seq"), 10, &e.seq) || !ParseU64(state.Get("node"), 16, &e.node) ||
            !ParseU64(state.Get("peer"), 16, &e.peer) ||
            !ParseU64(state.Get("detected_ms"), 10, &e.detected_ms)) {
          return true;
        }
        e.scope = *scope;
        e.unit = *unit;
        for (const auto& [n, side] : {std::pair<std::string, SignedSide*>{"received", &e.received},
                                      std::pair<std::string, SignedSide*>{"held", &e.held}}) {
          auto ops = state.Get(n + "_ops");
          if (!ParseU64(state.Get(n + "_from"), 10, &side->from) || !ops ||
              !UnframeOps(*ops, &side->ops)) {
            return true;
          }
          side->head = state.Get(n + "_head").value_or("");
        }
        out.push_back(std::move(e));
        return true;
      }));
  std::sort(out.begin(), out.end(), [](const Equivocation& a, const Equivocation& b) {
    return std::tie(a.detected_ms, a.unit, a.origin, a.scope, a.seq) <
           std::tie(b.detected_ms, b.unit, b.origin, b.scope, b.seq);
  });
  return out;
}

Status VerifyEquivocation(const Equivocation& e, const crypto::Certificate& origin_cert) {
  if (origin_cert.node_id != e.origin) {
    return InvalidArgument("equivocation evidence: the certificate is not the origin's");
  }
  FULEI_ASSIGN_OR_RETURN(crdt::Hash received,
                         Claim(e.received, e.seq, origin_cert, e.scope, "received"));
  FULEI_ASSIGN_OR_RETURN(crdt::Hash held, Claim(e.held, e.seq, origin_cert, e.scope, "held"));
  if (received == held) {
    return InvalidArgument("equivocation evidence: both sides agree on op " +
                           std::to_string(e.seq));
  }
  return Status::Ok();
}

std::string DescribeEquivocation(const Equivocation& e) {
  return "origin " + NodeHex(e.origin) + " signed two chains of '" + e.scope +
         "' that disagree at seq " + std::to_string(e.seq);
}

}  // namespace fulei::sync
