// ASSERT_OK / EXPECT_OK for every test of the project: a Status or Result<T> that is not OK
// fails the test and prints the status (code and message), so a failure says why, not only
// "expected true". ASSERT_OK_AND_ASSIGN unwraps a Result into a new variable.
//
//   ASSERT_OK(store->Put(...));
//   EXPECT_OK(DecodeOp(bytes));
//   ASSERT_OK_AND_ASSIGN(auto store, store::Store::Open(dir, options));
#ifndef FULEI_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define FULEI_TESTS_SUPPORT_STATUS_MATCHERS_H_

#include <gtest/gtest.h>

#include <utility>

#include "crdt/status.h"

namespace fulei::testing {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace fulei::testing

#define FULEI_TEST_OK_(check, expr)                                                   \
  do {                                                                                \
    const auto& fulei_ok_value_ = (expr);                                             \
    check(::fulei::testing::StatusOf(fulei_ok_value_).ok())                           \
        << #expr << " -> " << ::fulei::testing::StatusOf(fulei_ok_value_).ToString(); \
  } while (false)

#define ASSERT_OK(expr) FULEI_TEST_OK_(ASSERT_TRUE, expr)
#define EXPECT_OK(expr) FULEI_TEST_OK_(EXPECT_TRUE, expr)

#define FULEI_TEST_CONCAT_INNER_(a, b) a##b
#define FULEI_TEST_CONCAT_(a, b) FULEI_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  FULEI_TEST_ASSIGN_(FULEI_TEST_CONCAT_(fulei_result_, __LINE__), lhs, expr)
#define FULEI_TEST_ASSIGN_(tmp, lhs, expr)                             \
  auto tmp = (expr);                                                   \
  ASSERT_TRUE(tmp.ok()) << #expr << " -> " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

#endif  // FULEI_TESTS_SUPPORT_STATUS_MATCHERS_H_
