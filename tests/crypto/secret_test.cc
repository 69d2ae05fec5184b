// Secret<N> and SecretString (crypto/secret.h): secrets are built and moved without leaving
// copies behind. Freed memory cannot be read from a test, so these check what can be seen: a
// moved secret keeps its buffer (it was handed over, not copied — even a short one, which a
// plain std::string would copy out of its small-string buffer), growth keeps the bytes, and a
// moved-from or cleared secret is empty.
#include "crypto/secret.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace fulei::crypto {
namespace {

TEST(SecretString, ShortSecretMovesItsBufferInsteadOfCopyingIt) {
  SecretString pw("pw");  // far below any small-string buffer size
  const char* buffer = pw.data();
  SecretString moved(std::move(pw));
  EXPECT_EQ(moved.data(), buffer) << "the bytes were copied, leaving them in the old object";
  EXPECT_EQ(moved.view(), "pw");
  EXPECT_TRUE(pw.empty());  // NOLINT(bugprone-use-after-move): the contract says so
  SecretString assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.data(), buffer);
  EXPECT_TRUE(moved.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecretString, AppendAndResizeKeepTheBytes) {
  SecretString s;
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    const std::string piece(static_cast<size_t>(i % 7 + 1), static_cast<char>('a' + i % 26));
    s.Append(piece);
    expected += piece;
    ASSERT_EQ(s.view(), expected) << "after append " << i;
  }
  s.Resize(10);
  EXPECT_EQ(s.view(), expected.substr(0, 10));
  s.Resize(12);
  EXPECT_EQ(s.view(), expected.substr(0, 10) + std::string(2, '\0'));
  s.Clear();
  EXPECT_TRUE(s.empty());
}

TEST(SecretString, ReserveAvoidsLaterMoves) {
  SecretString s;
  s.Reserve(1000);
  const char* buffer = s.data();
  for (int i = 0; i < 100; ++i) s.Append("0123456789");
  EXPECT_EQ(s.data(), buffer);
  EXPECT_EQ(s.size(), 1000u);
}

TEST(Secret, MovedFromSecretIsZero) {
  Secret<32> a;
  for (size_t i = 0; i < a.size(); ++i) a.data()[i] = static_cast<uint8_t>(i + 1);
  Secret<32> b(std::move(a));
  EXPECT_TRUE(a.ConstantTimeEquals(Secret<32>()));  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.data()[31], 32);
}

}  // namespace
}  // namespace fulei::crypto
