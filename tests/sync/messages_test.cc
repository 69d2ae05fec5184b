#include "sync/messages.h"

#include <gtest/gtest.h>

#include <random>

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
      UrgentAck{8, {VvEntry{5, 6}}, "jinjiang/cizao/v012"},
  };
}

TEST(Messages, RoundTrip) {
  for (const Message& m : Samples()) {
    auto decoded = DecodeMessage(EncodeMessage(m));
    ASSERT_TRUE(decoded.ok()) << MessageName(m) << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, m) << MessageName(m);
  }
}

TEST(Messages, DamagedBytesAreRejectedNeverCrash) {
  for (const Message& m : Samples()) {
    const std::string good = EncodeMessage(m);
    for (size_t n = 0; n < good.size(); n += 8) {
      auto r = DecodeMessage(std::string_view(good).substr(0, n));
      EXPECT_FALSE(r.ok() && n < 16);
    }
    for (size_t bit = 0; bit < good.size() * 8; bit += 3) {
      std::string bad = good;
      bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
      (void)DecodeMessage(bad);  // any outcome but a crash
    }
  }
}

TEST(Messages, LimitsAreEnforced) {
  EXPECT_FALSE(DecodeMessage(std::string(kMaxMessageBytes + 8, '\0')).ok());
  EXPECT_FALSE(DecodeMessage("1234567").ok());
  Vectors v{{ScopeVector{std::string(kMaxScopeBytes + 1, 's'), {}}}};
  EXPECT_FALSE(DecodeMessage(EncodeMessage(v)).ok());
  Vectors empty_scope{{ScopeVector{"", {}}}};
  EXPECT_FALSE(DecodeMessage(EncodeMessage(empty_scope)).ok());
  Vectors control{{ScopeVector{std::string("jinjiang\ncizao"), {}}}};
  EXPECT_FALSE(DecodeMessage(EncodeMessage(control)).ok());
  Vectors bar{{ScopeVector{"jinjiang|cizao", {}}}};
  EXPECT_FALSE(DecodeMessage(EncodeMessage(bar)).ok());
  OpsBatch huge;
  huge.scope = "s";
  huge.ops.assign(kMaxOpsPerBatch + 1, "o");
  EXPECT_FALSE(DecodeMessage(EncodeMessage(huge)).ok());
}

TEST(Messages, RandomBytes) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20000; ++i) {
    std::string b(8 * (1 + rng() % 16), '\0');
    for (char& c : b) c = static_cast<char>(rng());
    (void)DecodeMessage(b);
  }
}

}  // namespace
}  // namespace fulei::sync
