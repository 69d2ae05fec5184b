#include "sync/messages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "crdt/codec.h"
#include "crypto/op_chain.h"
#include "crypto/random.h"
#include "sync/op_pack.h"
#include "tests/support/status_matchers.h"
#include "tests/sync/fuzz/random_batch.h"

namespace fulei::sync {
namespace {

std::vector<Message> Samples() {
  OpsBatch ops{7,   "jinjiang/cizao/v012", {"op-one", std::string(300, 'x')}, {"head"}, {"cert"},
               true};
  return {
      Hello{kProtocolVersion, 0x1234, "jinjiang/cizao", 1764000000000},
      Digest{{ScopeDigest{"jinjiang", {1, 2, 3}}, ScopeDigest{"jinjiang/cizao", {}}}},
      Vectors{{ScopeVector{"jinjiang/cizao", {VvEntry{1, 9}, VvEntry{2, 3}}}}},
      ops,
      Ack{7, "jinjiang/cizao/v012", {VvEntry{1, 2}}},
      UrgentAck{8, {VvEntry{5, 6}}, "jinjiang/cizao/v012", {}},
      UrgentAck{9, {}, "jinjiang/cizao/v012", {VvEntry{7, 1}, VvEntry{7, 2}}},
  };
}

TEST(Messages, RoundTrip) {
  for (const Message& m : Samples()) {
    auto decoded = DecodeMessage(EncodeMessage(m));
    SCOPED_TRACE(MessageName(m));
    ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, m) << MessageName(m);
  }
}

// Protocol v1 carries the same messages; only an OpsBatch is encoded differently.
TEST(Messages, RoundTripInProtocolV1) {
  for (const Message& m : Samples()) {
    auto decoded = DecodeMessage(EncodeMessage(m, 1), 1);
    SCOPED_TRACE(MessageName(m));
    ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, m) << MessageName(m);
  }
}

// A Hello of a node that spoke one version only has no maxVersion (0 on the wire): it speaks
// exactly `version`.
TEST(Messages, HelloWithoutMaxVersionSpeaksOnlyItsVersion) {
  auto decoded = DecodeMessage(EncodeMessage(Hello{1, 0x1234, "jinjiang/cizao", 0, 0}));
  ASSERT_OK(decoded);
  EXPECT_EQ(std::get<Hello>(*decoded).version, 1u);
  EXPECT_EQ(std::get<Hello>(*decoded).max_version, 1u);
}

TEST(Messages, NegotiateTheHighestVersionBothSpeak) {
  auto hello = [](uint32_t lo, uint32_t hi) { return Hello{lo, 1, "jinjiang", 0, hi}; };
  struct Case {
    uint32_t peer_lo, peer_hi, lo, hi;
    uint32_t want;  // 0: refused
  } cases[] = {
      {1, 2, 1, 2, 2}, {1, 1, 1, 2, 1}, {1, 2, 1, 1, 1}, {2, 5, 1, 3, 3},
      {1, 1, 2, 2, 0}, {3, 4, 1, 2, 0}, {3, 2, 1, 5, 0},  // the peer's range is empty
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.peer_lo) + ".." + std::to_string(c.peer_hi) + " vs " +
                 std::to_string(c.lo) + ".." + std::to_string(c.hi));
    auto v = NegotiateVersion(hello(c.peer_lo, c.peer_hi), c.lo, c.hi);
    if (c.want == 0) {
      EXPECT_EQ(v.status().code(), StatusCode::kFailedPrecondition);
    } else {
      ASSERT_OK(v);
      EXPECT_EQ(*v, c.want);
    }
  }
}

// What DecodeMessage promises of a scope or unit (docs/protocol.md): 1..256 bytes (a Hello's
// unit may be empty), no control character, no '|'. Checked here independently of the decoder.
bool ValidUnit(const std::string& unit, bool allow_empty) {
  if ((unit.empty() && !allow_empty) || unit.size() > kMaxScopeBytes) return false;
  return std::none_of(unit.begin(), unit.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '|'; });
}

// Every scope and unit a message carries obeys ValidUnit.
bool UnitsValid(const Message& m) {
  if (const auto* h = std::get_if<Hello>(&m)) return ValidUnit(h->unit, true);
  std::vector<std::string> scopes;
  if (const auto* d = std::get_if<Digest>(&m)) {
    for (const auto& s : d->scopes) scopes.push_back(s.scope);
  } else if (const auto* v = std::get_if<Vectors>(&m)) {
    for (const auto& s : v->scopes) scopes.push_back(s.scope);
  } else if (const auto* b = std::get_if<OpsBatch>(&m)) {
    scopes.push_back(b->scope);
  } else if (const auto* a = std::get_if<Ack>(&m)) {
    scopes.push_back(a->scope);
  } else if (const auto* u = std::get_if<UrgentAck>(&m)) {
    scopes.push_back(u->scope);
  }
  return std::all_of(scopes.begin(), scopes.end(),
                     [](const std::string& s) { return ValidUnit(s, false); });
}

// Every cut and every single-bit flip of every sample has an asserted outcome. A cut is
// kCorruption. A flip is kCorruption, or it decodes to a message that keeps every promise of
// DecodeMessage: its scopes and units are valid (UnitsValid) and it is stable (encoding and
// decoding it again gives it back). Cap'n Proto is not canonical: a flip in a pointer or a size
// can yield another valid message (nothing here relies on messages being canonical; the channel
// authenticates them and ops carry their own signatures).
TEST(Messages, DamagedBytesAreRejectedNeverCrash) {
  for (const Message& m : Samples()) {
    SCOPED_TRACE(MessageName(m));
    const std::string good = EncodeMessage(m);
    for (size_t n = 0; n < good.size(); ++n) {
      EXPECT_EQ(DecodeMessage(std::string_view(good).substr(0, n)).status().code(),
                StatusCode::kCorruption)
          << "cut at " << n;
    }
    size_t rejected = 0, accepted = 0;
    for (size_t bit = 0; bit < good.size() * 8; ++bit) {
      std::string bad = good;
      bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
      auto r = DecodeMessage(bad);
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), StatusCode::kCorruption)
            << "bit " << bit << ": " << r.status().ToString();
        ++rejected;
        continue;
      }
      ++accepted;
      EXPECT_TRUE(UnitsValid(*r)) << "bit " << bit << ": a " << MessageName(*r)
                                  << " with an invalid scope or unit";
      auto again = DecodeMessage(EncodeMessage(*r));
      ASSERT_TRUE(again.ok()) << "bit " << bit << ": " << again.status().ToString();
      EXPECT_EQ(*again, *r) << "bit " << bit;
    }
    EXPECT_GT(rejected, 0u);
    EXPECT_GT(accepted, 0u);  // flips in values decode: the loop above checked what they gave
  }
}

TEST(Messages, LimitsAreEnforced) {
  EXPECT_EQ(DecodeMessage(std::string(kMaxMessageBytes + 8, '\0')).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(DecodeMessage("1234567").status().code(), StatusCode::kCorruption);
  Vectors v{{ScopeVector{std::string(kMaxScopeBytes + 1, 's'), {}}}};
  EXPECT_EQ(DecodeMessage(EncodeMessage(v)).status().code(), StatusCode::kCorruption);
  Vectors empty_scope{{ScopeVector{"", {}}}};
  EXPECT_EQ(DecodeMessage(EncodeMessage(empty_scope)).status().code(), StatusCode::kCorruption);
  Vectors control{{ScopeVector{std::string("jinjiang\ncizao"), {}}}};
  EXPECT_EQ(DecodeMessage(EncodeMessage(control)).status().code(), StatusCode::kCorruption);
  Vectors bar{{ScopeVector{"jinjiang|cizao", {}}}};
  EXPECT_EQ(DecodeMessage(EncodeMessage(bar)).status().code(), StatusCode::kCorruption);
  OpsBatch huge;
  huge.scope = "s";
  huge.ops.assign(kMaxOpsPerBatch + 1, "o");
  EXPECT_EQ(DecodeMessage(EncodeMessage(huge)).status().code(), StatusCode::kCorruption);
}

// Issue 14, defect 5: each scope's list was bounded, not the message, so one Vectors of 4096
// scopes carried a million entries.
TEST(Messages, VectorEntriesAreBoundedPerMessage) {
  Vectors at_limit, over;
  for (int i = 0; i < 4; ++i) {
    ScopeVector sv{"jinjiang/s" + std::to_string(i), {}};
    for (size_t k = 0; k < kMaxVectorEntries / 4; ++k) sv.entries.push_back(VvEntry{k + 1, 1});
    at_limit.scopes.push_back(sv);
    over.scopes.push_back(sv);
  }
  ASSERT_OK(DecodeMessage(EncodeMessage(at_limit)));
  over.scopes.push_back(ScopeVector{"jinjiang/s4", {VvEntry{1, 1}}});
  EXPECT_EQ(DecodeMessage(EncodeMessage(over)).status().code(), StatusCode::kCorruption);
}

TEST(Messages, RandomBytes) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    std::string b(8 * (1 + rng() % 16), '\0');
    for (char& c : b) c = static_cast<char>(rng());
    (void)DecodeMessage(b);
  }
}

// ---------------------------------------------------------------------------------------------
// Packed ops (sync/op_pack.h, docs/protocol.md#packed-ops).

using testing::BatchShape;
using testing::MakeRandomBatch;
using testing::RandomBatch;

OpsBatch BatchOf(const RandomBatch& r) {
  OpsBatch b;
  b.batch = 3;
  b.scope = testing::kScope;
  b.ops = r.bytes;
  for (const testing::Run& run : r.runs) b.heads.push_back(crypto::EncodeSignedHead(run.head));
  b.certs = {"certificate chain"};
  return b;
}

// Every run of the batch verifies against its signed head, as the receiving session checks it.
void ExpectChainsVerify(const RandomBatch& r, const std::vector<std::string>& bytes) {
  std::vector<crdt::Op> ops;
  for (const std::string& b : bytes) {
    auto op = crdt::DecodeOp(b);
    ASSERT_OK(op);
    ops.push_back(std::move(*op));
  }
  for (const testing::Run& run : r.runs) {
    const crypto::Certificate* cert = nullptr;
    for (const crypto::Certificate& c : r.certs) {
      if (c.node_id == run.head.origin) cert = &c;
    }
    ASSERT_NE(cert, nullptr);
    EXPECT_OK(crypto::VerifyChain(*cert, run.prev_seq, run.prev_head,
                                  std::span<const crdt::Op>(&ops[run.first], run.count), run.head));
  }
}

TEST(PackedOps, RandomBatchesRebuildByteIdenticalOps) {
  size_t erased = 0, runs = 0, ops = 0;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    BatchShape shape;
    shape.origins = 1 + static_cast<int>(seed % 4);
    shape.ops = 1 + static_cast<int>(seed * 7 % 90);
    shape.second_scope = seed % 5 == 0;
    shape.gaps = seed % 3 != 0;
    const RandomBatch r = MakeRandomBatch(seed, shape);
    for (const crdt::Op& op : r.ops) erased += op.erased ? 1 : 0;
    runs += r.runs.size();
    ops += r.ops.size();
    const OpsBatch batch = BatchOf(r);
    auto decoded = DecodeMessage(EncodeMessage(batch));
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_OK(decoded);
    const auto& back = std::get<OpsBatch>(*decoded);
    ASSERT_EQ(back.ops.size(), r.bytes.size()) << "seed " << seed;
    for (size_t i = 0; i < r.bytes.size(); ++i) {
      ASSERT_EQ(back.ops[i], r.bytes[i]) << "seed " << seed << " op " << i;
    }
    EXPECT_EQ(back, batch) << "seed " << seed;
    if (!shape.second_scope) ExpectChainsVerify(r, back.ops);
  }
  // The seeds do cover what they claim to.
  EXPECT_GT(erased, 100u);
  EXPECT_GT(runs, 400u);
  EXPECT_GT(ops, 5000u);
}

TEST(PackedOps, SendsNoHashTheReceiverCanRecompute) {
  BatchShape shape;
  shape.origins = 1;
  shape.ops = 200;
  shape.erase = 0;
  shape.gaps = false;
  shape.max_writes = 1;
  const RandomBatch r = MakeRandomBatch(7, shape);
  const std::string packed = PackOps(r.bytes);
  // No 32-byte hash of the batch appears in the packed form but the first op's prev hash (which
  // is not sent either when the run starts the log, at seq 1: it is zero).
  for (const crdt::Op& op : r.ops) {
    const std::string body(reinterpret_cast<const char*>(op.body_hash.data()), 32);
    const std::string prev(reinterpret_cast<const char*>(op.prev_hash.data()), 32);
    EXPECT_EQ(packed.find(body), std::string::npos) << op.seq;
    if (&op == &r.ops[0] && op.seq > 1) {
      EXPECT_NE(packed.find(prev), std::string::npos);
    } else {
      EXPECT_EQ(packed.find(prev), std::string::npos) << op.seq;
    }
  }
  auto back = UnpackOps(packed);
  ASSERT_OK(back);
  EXPECT_EQ(*back, r.bytes);
}

TEST(PackedOps, MetadataPerSingleFieldOpIsSmall) {
  // 1,000 one-field ops of one origin, as a village writes them: metadata (everything but
  // field names and values) must stay within 40 bytes per op; canonical ops spend ~300.
  // (Heads, certificates and the Cap'n Proto envelope add under a byte per op at this size.)
  std::vector<std::string> bytes;
  size_t payload = 0, canonical = 0;
  crypto::DeterministicRandom rnd(5);
  const crypto::SigningKey key = crypto::SigningKey::Generate(rnd);
  crypto::ChainBuilder chain(key, testing::kScope, 0, crdt::Hash{});
  for (int i = 0; i < 1000; ++i) {
    crdt::Op op;
    op.stamp =
        crdt::Stamp{1'764'000'000'000 + static_cast<uint64_t>(i / 3), static_cast<uint32_t>(i % 3)};
    op.author = "director";
    op.key = {testing::kScope, "child", "c-" + std::to_string(10000 + i)};
    op.writes.push_back({"school", crdt::WriteKind::kSet, "value-" + std::to_string(i * 31), {}});
    ASSERT_OK(chain.Append(&op));
    payload += op.writes[0].field.size() + op.writes[0].value.size();
    bytes.push_back(crdt::EncodeOp(op));
    canonical += bytes.back().size();
  }
  const std::string packed = PackOps(bytes);
  const double metadata = static_cast<double>(packed.size() - payload) / 1000.0;
  EXPECT_LE(metadata, 40.0) << "packed " << packed.size() << " B, payload " << payload << " B";
  // The target: wire bytes at most 1.5 x the field names and values they carry.
  EXPECT_LE(packed.size() * 2, payload * 3)
      << "packed " << packed.size() << " B, payload " << payload << " B";
  EXPECT_LT(packed.size() * 10, canonical);
  auto back = UnpackOps(packed);
  ASSERT_OK(back);
  EXPECT_EQ(*back, bytes);
}

TEST(PackedOps, TamperedAndForeignOpsTravelUnchanged) {
  // A broken body hash, a broken link and bytes that are no op at all are passed on exactly as
  // they are: the receiving session is the one that rejects them.
  BatchShape shape;
  shape.tamper = 0.3;
  shape.ops = 80;
  RandomBatch r = MakeRandomBatch(11, shape);
  r.bytes.insert(r.bytes.begin() + 3, "not an op");
  r.bytes.push_back(std::string());
  crdt::Op odd = r.ops[0];
  odd.prev_hash[5] ^= 0x40;
  r.bytes.push_back(crdt::EncodeOp(odd));
  std::string padded = r.bytes[1];  // valid op with a trailing word: not canonical
  padded.append(8, '\0');
  r.bytes.push_back(padded);
  auto back = UnpackOps(PackOps(r.bytes));
  ASSERT_OK(back);
  EXPECT_EQ(*back, r.bytes);
}

TEST(PackedOps, ErasedOpsTravelWithTheirErasureAuthorisation) {
  // The packed form has no place for an erasure authorisation (crdt::Op::erasure): such an op
  // travels verbatim, in its run's place, and the ops after it chain on as before.
  BatchShape shape;
  shape.origins = 1;
  shape.ops = 12;
  shape.erase = 0;
  shape.gaps = false;
  RandomBatch r = MakeRandomBatch(31, shape);
  for (size_t i : {size_t{0}, size_t{5}, size_t{11}}) {
    crdt::Op erased = r.ops[i];
    erased.erased = true;
    erased.writes.clear();
    erased.erasure = "authorisation " + std::to_string(i);
    r.bytes[i] = crdt::EncodeOp(erased);
  }
  auto back = UnpackOps(PackOps(r.bytes));
  ASSERT_OK(back);
  EXPECT_EQ(*back, r.bytes);
  auto op = crdt::DecodeOp((*back)[5]);
  ASSERT_OK(op);
  EXPECT_EQ(op->erasure, "authorisation 5");
}

TEST(PackedOps, AnOpAlteredInTransitFailsTheChainCheck) {
  // The receiver recomputes the hashes that were left out; an op altered on the way therefore
  // gets a new body hash and header hash, and its run no longer ends at the signed head.
  BatchShape shape;
  shape.origins = 1;
  shape.ops = 20;
  shape.erase = 0;
  shape.gaps = false;
  shape.max_writes = 3;
  RandomBatch r = MakeRandomBatch(21, shape);
  crdt::Op marked = r.ops[4];
  marked.writes.clear();
  marked.writes.push_back({"grade", crdt::WriteKind::kSet, "MARKER-VALUE-1", {}});
  crypto::ChainBuilder chain(r.keys[0], testing::kScope, 0, crdt::Hash{});
  // Rebuild the log with the marked op so that it is properly signed.
  std::vector<crdt::Op> log;
  for (size_t i = 0; i < r.ops.size(); ++i) {
    crdt::Op op = i == 4 ? marked : r.ops[i];
    ASSERT_OK(chain.Append(&op));
    log.push_back(op);
  }
  const crypto::SignedHead head = chain.SignHead();
  std::vector<std::string> bytes;
  for (const crdt::Op& op : log) bytes.push_back(crdt::EncodeOp(op));
  std::string packed = PackOps(bytes);
  {
    auto back = UnpackOps(packed);
    ASSERT_OK(back);
    std::vector<crdt::Op> ops;
    for (const auto& b : *back) ops.push_back(*crdt::DecodeOp(b));
    EXPECT_OK(crypto::VerifyChain(r.certs[0], 0, crdt::Hash{}, ops, head));
  }
  const size_t at = packed.find("MARKER-VALUE-1");
  ASSERT_NE(at, std::string::npos);
  packed[at + 13] = '2';
  auto back = UnpackOps(packed);
  ASSERT_OK(back);
  std::vector<crdt::Op> ops;
  for (const auto& b : *back) ops.push_back(*crdt::DecodeOp(b));
  EXPECT_EQ(ops[4].writes[0].value, "MARKER-VALUE-2");
  const Status verified = crypto::VerifyChain(r.certs[0], 0, crdt::Hash{}, ops, head);
  EXPECT_EQ(verified.code(), StatusCode::kUnauthenticated) << verified.ToString();
}

TEST(PackedOps, TruncationsAreRejected) {
  BatchShape shape;
  shape.ops = 30;
  const RandomBatch r = MakeRandomBatch(31, shape);
  const std::string packed = PackOps(r.bytes);
  for (size_t n = 0; n < packed.size(); ++n) {
    auto back = UnpackOps(std::string_view(packed).substr(0, n));
    ASSERT_EQ(back.status().code(), StatusCode::kCorruption)
        << n << ": " << back.status().ToString();
  }
  auto longer = UnpackOps(packed + '\0');
  EXPECT_EQ(longer.status().code(), StatusCode::kCorruption);
  // The whole message, cut anywhere, is rejected too.
  const std::string message = EncodeMessage(BatchOf(r));
  for (size_t n = 0; n < message.size(); n += 8) {
    EXPECT_EQ(DecodeMessage(std::string_view(message).substr(0, n)).status().code(),
              StatusCode::kCorruption)
        << n;
  }
}

TEST(PackedOps, BitFlipsAndRandomBytesNeverCrash) {
  size_t rejected = 0, flips = 0;
  for (uint64_t seed = 41; seed < 44; ++seed) {
    BatchShape shape;
    shape.ops = 8;
    shape.long_values = 0;
    const RandomBatch r = MakeRandomBatch(seed, shape);
    const std::string packed = PackOps(r.bytes);
    for (size_t bit = 0; bit < packed.size() * 8; bit += 3) {
      std::string bad = packed;
      bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
      auto back = UnpackOps(bad);
      ++flips;
      if (!back.ok()) {
        ++rejected;
        const StatusCode code = back.status().code();
        EXPECT_TRUE(code == StatusCode::kCorruption || code == StatusCode::kInvalidArgument)
            << back.status().ToString();
        continue;
      }
      // Accepted: a flip in a value or a stamp. What came out must pack to the same ops again.
      auto again = UnpackOps(PackOps(*back));
      ASSERT_OK(again);
      EXPECT_EQ(*again, *back);
    }
  }
  // Most flips break the structure; the rest land in values and stamps.
  EXPECT_GT(rejected, flips / 8);
  std::mt19937_64 rng(43);
  for (int i = 0; i < 20000; ++i) {
    std::string b(1 + rng() % 64, '\0');
    for (char& c : b) c = static_cast<char>(rng());
    if (i % 2 == 0) b[0] = static_cast<char>(kOpPackFormat);
    auto back = UnpackOps(b);
    if (back.ok()) {
      auto again = UnpackOps(PackOps(*back));
      ASSERT_OK(again);
      EXPECT_EQ(*again, *back);
    }
  }
}

// A hand-built packed batch: format, op count, then runs (see docs/protocol.md#packed-ops).
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

TEST(PackedOps, LimitsAreEnforced) {
  const std::string head = std::string(1, static_cast<char>(kOpPackFormat));
  auto code = [](const std::string& b) { return UnpackOps(b).status().code(); };
  // Too many ops; unknown format; unknown run tag; verbatim op over the size limit.
  EXPECT_EQ(code(head + Varint(kMaxOpsPerBatch + 1)), StatusCode::kCorruption);
  EXPECT_EQ(code(std::string(1, 9) + Varint(0)), StatusCode::kCorruption);
  EXPECT_EQ(code(head + Varint(1) + '\7'), StatusCode::kCorruption);
  EXPECT_EQ(code(head + Varint(1) + '\1' + Varint(crdt::kMaxEncodedOpBytes + 1)),
            StatusCode::kCorruption);
  // A varint of 11 bytes.
  EXPECT_EQ(code(head + std::string(11, '\xff')), StatusCode::kCorruption);
  // Empty batch: fine. Empty run, run longer than the batch, dictionary reference out of range,
  // a flag on a string token that has none.
  EXPECT_OK(UnpackOps(head + Varint(0)));
  const std::string scope = Varint(0) + Varint(3) + "abc";  // new string, no prefix, 3 bytes
  const std::string origin = Varint(0) + std::string("\1\0\0\0\0\0\0\0", 8);
  EXPECT_EQ(code(head + Varint(1) + '\0' + scope + origin + Varint(1) + Varint(0)),
            StatusCode::kCorruption);
  EXPECT_EQ(code(head + Varint(1) + '\0' + scope + origin + Varint(1) + Varint(2)),
            StatusCode::kCorruption);
  EXPECT_EQ(code(head + Varint(1) + '\0' + Varint(2 << 1) + origin), StatusCode::kCorruption);
  EXPECT_EQ(code(head + Varint(1) + '\0' + Varint(1) + Varint(3) + "abc" + origin),
            StatusCode::kCorruption);
  // A new string longer than any key part.
  EXPECT_EQ(code(head + Varint(1) + '\0' + Varint(0) + Varint(7) + Varint(300 - 7)),
            StatusCode::kCorruption);
  // A first op whose prev hash is "chained" (there is nothing to chain to), one that repeats an
  // author or a stamp no op has given yet.
  const std::string run = head + Varint(1) + '\0' + scope + origin + Varint(1) + Varint(1);
  const char ext = 1 << 4, prev_zero = 1 << 1;
  EXPECT_EQ(code(run + '\0'), StatusCode::kCorruption);
  EXPECT_EQ(code(run + static_cast<char>(ext | 1) + prev_zero), StatusCode::kCorruption);
  EXPECT_EQ(code(run + static_cast<char>(ext | 4) + prev_zero), StatusCode::kCorruption);
  // A reserved bit.
  EXPECT_EQ(code(run + static_cast<char>(ext | 0x80) + prev_zero), StatusCode::kCorruption);
  // A rebuilt op that is not valid (empty type) is refused by crdt::ValidateOp.
  const std::string op = std::string(1, ext) + prev_zero + Varint(2) + Varint(0) +  // stamp 1.0
                         Varint(0) + Varint(0) +                                    // author ""
                         Varint(0) + Varint(0) +                                    // type ""
                         Varint(0) + Varint(1) + "i" +                              // id "i"
                         Varint(0);                                                 // no writes
  EXPECT_EQ(code(run + op), StatusCode::kInvalidArgument);
}

TEST(PackedOps, ExpansionIsBounded) {
  // 4.5 MB of three-byte superseded ids (one dictionary origin, stamp offsets) would rebuild
  // into ~36 MB of ops: refused before it is built.
  std::string b(1, static_cast<char>(kOpPackFormat));
  b += Varint(1) + '\0' + Varint(0) + Varint(1) + "s";                          // scope "s"
  b += Varint(0) + std::string("\1\0\0\0\0\0\0\0", 8) + Varint(1) + Varint(1);  // origin 1
  b += std::string(1, 1 << 4) + static_cast<char>(1 << 1);             // extended: prev hash zero
  b += Varint(2000000) + Varint(0);                                    // stamp
  b += Varint(1 << 1) + Varint(1 << 1) + Varint(0) + Varint(1) + "i";  // author, type "s", id "i"
  const size_t writes = 370;
  b += Varint(writes);
  for (size_t w = 0; w < writes; ++w) {
    b += Varint(0) + Varint(1) + static_cast<char>('a' + w % 26);           // field (new)
    b += static_cast<char>(0 | (63 << 2)) + Varint(4095 - 63) + Varint(0);  // set, 4095 sups
    for (int s = 0; s < 4095; ++s) b += Varint(1) + Varint(1) + Varint(0);
  }
  auto back = UnpackOps(b);
  ASSERT_EQ(back.status().code(), StatusCode::kCorruption) << back.status().ToString();
  EXPECT_NE(back.status().message().find("exceed"), std::string::npos) << back.status().ToString();
}

}  // namespace
}  // namespace fulei::sync
