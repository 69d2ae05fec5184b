// Transport frames in isolation: rekey boundaries are where both ends expect them (and really
// change the key), oversize messages are refused, a closed session stays closed.
#include "crypto/transport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/status_matchers.h"

namespace fulei::crypto {
namespace {

Transport Make(bool a_side, RekeyPolicy policy) {
  uint8_t k1[32] = {1}, k2[32] = {2};
  noise::CipherState s, r;
  s.InitializeKey(a_side ? k1 : k2);
  r.InitializeKey(a_side ? k2 : k1);
  return Transport(std::move(s), std::move(r), policy);
}

TEST(TransportTest, RekeysByMessagesAndBytesOnBothEnds) {
  RekeyPolicy policy{4, 100};
  Transport a = Make(true, policy), b = Make(false, policy);
  std::vector<std::string> got;
  // 10 small messages: rekey after messages 4 and 8.
  for (int i = 0; i < 10; ++i) ASSERT_OK(b.Feed(*a.Seal("m"), &got));
  EXPECT_EQ(a.rekeys_sent(), 2u);
  EXPECT_EQ(b.rekeys_received(), 2u);
  // One 100-byte message reaches the byte bound.
  ASSERT_OK(b.Feed(*a.Seal(std::string(100, 'b')), &got));
  EXPECT_EQ(a.rekeys_sent(), 3u);
  EXPECT_EQ(b.rekeys_received(), 3u);
  EXPECT_EQ(got.size(), 11u);
}

TEST(TransportTest, RekeyReallyChangesTheKey) {
  Transport a = Make(true, RekeyPolicy{2, 1 << 20});
  Transport b = Make(false, RekeyPolicy{1000, 1 << 20});  // never rekeys: must fail after 2
  std::vector<std::string> got;
  ASSERT_OK(b.Feed(*a.Seal("1"), &got));
  ASSERT_OK(b.Feed(*a.Seal("2"), &got));
  EXPECT_EQ(b.Feed(*a.Seal("3"), &got).code(), StatusCode::kCorruption);
  EXPECT_TRUE(b.closed());
  EXPECT_EQ(got.size(), 2u);
}

TEST(TransportTest, OversizeRefusedAndClosedStaysClosed) {
  Transport a = Make(true, {}), b = Make(false, {});
  EXPECT_EQ(a.Seal(std::string(kMaxFramePayload + 1, 'x')).status().code(),
            StatusCode::kInvalidArgument);
  auto max = a.Seal(std::string(kMaxFramePayload, 'x'));
  ASSERT_OK(max);
  EXPECT_EQ(max->size(), kMaxFramePayload + kFrameOverhead);
  std::vector<std::string> got;
  ASSERT_OK(b.Feed(*max, &got));
  std::string bad = *a.Seal("x");
  bad[5] ^= 1;
  EXPECT_EQ(b.Feed(bad, &got).code(), StatusCode::kCorruption);
  EXPECT_EQ(b.Feed(*a.Seal("y"), &got).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(got.size(), 1u);
  b.Close();
  EXPECT_EQ(b.Seal("z").status().code(), StatusCode::kFailedPrecondition);
}

TEST(TransportTest, PartialFrameAtEndOfStreamIsAnError) {
  Transport a = Make(true, {}), b = Make(false, {});
  std::string f = *a.Seal("hello");
  std::vector<std::string> got;
  ASSERT_OK(b.Feed(std::string_view(f).substr(0, 7), &got));
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(b.Finish().code(), StatusCode::kCorruption);
  EXPECT_TRUE(b.closed());
}

}  // namespace
}  // namespace fulei::crypto
