// RecordState's encodings (crdt/record_codec.cc): the canonical writer against
// capnp::canonicalize, and the compact on-disk form, exact and refusing damage.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crdt/codec.h"
#include "crdt/record.h"
#include "tests/crdt/random_ops.h"
#include "tests/support/status_matchers.h"

namespace fulei::crdt {
namespace {

using testing::GrowRandomStates;

// RecordState::Encode writes canonical bytes directly; they must equal what capnp::canonicalize
// gives for the builder-made message: an empty state, then states grown by applying valid random
// ops to one key, compared after every op.
TEST(RecordCodec, DirectCanonicalWriterMatchesCapnpCanonicalize) {
  std::mt19937_64 rng(20261129);
  RecordState empty;
  EXPECT_EQ(empty.Encode(), internal::EncodeRecordWithBuilder(empty));
  int applied = 0;
  GrowRandomStates(rng, 40, /*ops_each=*/30, /*small_elements=*/true,
                   [&](const RecordState& state) {
                     ++applied;
                     ASSERT_EQ(state.Encode(), internal::EncodeRecordWithBuilder(state))
                         << "after op " << applied;
                   });
  EXPECT_GT(applied, 400);  // most random ops are valid: the states are not trivial
}

TEST(RecordCodec, DecodeRejectsGarbage) {
  EXPECT_EQ(RecordState::Decode("").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(RecordState::Decode("12345678").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(RecordState::Decode("1234567").status().code(), StatusCode::kCorruption);
}

// The compact form (the store's on-disk form) holds exactly the state, is one form per state,
// and is much smaller than the canonical encoding.
TEST(RecordCompact, RoundTripsEveryStateExactly) {
  std::mt19937_64 rng(7);
  size_t compact_bytes = 0, canonical_bytes = 0;
  std::vector<RecordState> states{RecordState()};  // the empty state, and every state grown
  GrowRandomStates(rng, 30, 30, false, [&](const RecordState& s) { states.push_back(s); });
  for (const RecordState& state : states) {
    const std::string compact = state.EncodeCompact();
    auto back = RecordState::DecodeCompact(compact);
    ASSERT_OK(back);
    ASSERT_EQ(back->Encode(), state.Encode());
    EXPECT_EQ(back->EncodeCompact(), compact);
    compact_bytes += compact.size();
    canonical_bytes += state.Encode().size();
  }
  EXPECT_LT(compact_bytes * 3, canonical_bytes * 2);
}

TEST(RecordCompact, DamageIsCorruptionNeverACrash) {
  std::mt19937_64 rng(8);
  for (const RecordState& state : GrowRandomStates(rng, 40, 20, false)) {
    const std::string good = state.EncodeCompact();
    for (size_t n = 0; n < good.size(); ++n) {
      auto r = RecordState::DecodeCompact(std::string_view(good).substr(0, n));
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << "cut at " << n;
    }
    EXPECT_EQ(RecordState::DecodeCompact(good + std::string(1, '\0')).status().code(),
              StatusCode::kCorruption);
    for (size_t bit = 0; bit < good.size() * 8; bit += 5) {
      std::string bad = good;
      bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
      auto r = RecordState::DecodeCompact(bad);
      if (r.ok()) {  // a flipped value byte still decodes: a usable state, one form
        EXPECT_EQ(r->EncodeCompact(), bad);
        EXPECT_OK(RecordState::Decode(r->Encode()));
      } else {
        EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
      }
    }
  }
  // Pinned refusals: an unknown format byte, a varint that is not minimal, fields out of order,
  // a remove entry (never held in a state), a count larger than the bytes could hold.
  RecordState two;
  Op op;
  op.origin = 5;
  op.seq = 1;
  op.stamp = Stamp{9, 0};
  op.key = RecordKey{"s", "t", "i"};
  op.writes = {FieldWrite{"a", WriteKind::kSet, "x", {}},
               FieldWrite{"b", WriteKind::kSet, "y", {}}};
  two.Apply(op);
  const std::string good = two.EncodeCompact();
  ASSERT_OK(RecordState::DecodeCompact(good));
  std::string bad = good;
  bad[0] = 2;
  EXPECT_NE(RecordState::DecodeCompact(bad).status().message().find("format"), std::string::npos);
  bad = good;
  bad.replace(1, 1, std::string("\x89\x00", 2));  // created.ms 9 as two bytes
  EXPECT_NE(RecordState::DecodeCompact(bad).status().message().find("minimal"), std::string::npos);
  const size_t a =
      good.find(std::string("\x01"
                            "a",
                            2));
  const size_t b =
      good.find(std::string("\x01"
                            "b",
                            2));
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  bad = good;
  bad[a + 1] = 'b';
  bad[b + 1] = 'a';
  EXPECT_NE(RecordState::DecodeCompact(bad).status().message().find("order"), std::string::npos);
  bad = good;
  bad[a + 3] = static_cast<char>(WriteKind::kRemove);  // name, entry count, then the kind
  EXPECT_NE(RecordState::DecodeCompact(bad).status().message().find("kind"), std::string::npos);
  bad = good;
  bad[a - 1] = 0x7f;  // the field count
  EXPECT_NE(RecordState::DecodeCompact(bad).status().message().find("count"), std::string::npos);
}

}  // namespace
}  // namespace fulei::crdt
