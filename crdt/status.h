// Status and Result<T>: how every fulei component reports an expected failure.
//
// A peer going away, a full disk, a bad password, a malformed message: these are values, not
// exceptions. Functions that can fail this way return [[nodiscard]] Status or Result<T>; callers
// check them, or pass them up with FULEI_RETURN_IF_ERROR / FULEI_ASSIGN_OR_RETURN.
// Bugs (broken invariants) abort through FULEI_CHECK instead; input from a peer, a file or a
// browser must never reach a FULEI_CHECK.
//
// This header lives in crdt/ because crdt is the bottom layer that every other component may
// include. Thread-compatible value types.
#ifndef FULEI_CRDT_STATUS_H_
#define FULEI_CRDT_STATUS_H_

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace fulei {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,     // the input is malformed or breaks a rule; nothing was changed
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // creating something that already exists
  kFailedPrecondition,  // the system is not in a state where this can be done
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // identity could not be verified (bad signature, certificate, password)
  kResourceExhausted,   // disk full, map full, quota, rate limit
  kCorruption,          // stored or received bytes fail a checksum, tag or structural check
  kIoError,             // the operating system refused an operation
  kUnavailable,         // a peer or link is gone; retrying later may succeed
  kOutOfRange,          // a clock or counter outside its allowed range
  kAborted,             // a concurrent change or a cancellation stopped the operation
  kInternal,            // a bug that was caught without aborting
};

// Returns the stable English name of a code ("InvalidArgument", ...).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: field birth_date: 2023-02-30 is not a date"
  std::string ToString() const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

namespace internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr,
                              const std::string& what);
}  // namespace internal

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) internal::CheckFailed(__FILE__, __LINE__, "!status.ok()", "OK as Result");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & {
    Require();
    return *value_;
  }
  const T& value() const& {
    Require();
    return *value_;
  }
  T&& value() && {
    Require();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void Require() const {
    if (!value_) internal::CheckFailed(__FILE__, __LINE__, "ok()", status_.ToString());
  }
  std::optional<T> value_;
  Status status_;
};

}  // namespace fulei

#define FULEI_STATUS_CONCAT_INNER(a, b) a##b
#define FULEI_STATUS_CONCAT(a, b) FULEI_STATUS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when it is not OK.
#define FULEI_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::fulei::Status fulei_status_ = (expr);        \
    if (!fulei_status_.ok()) return fulei_status_; \
  } while (false)

// FULEI_ASSIGN_OR_RETURN(auto x, F()): declares x from a Result, or returns its status.
#define FULEI_ASSIGN_OR_RETURN(lhs, expr) \
  FULEI_ASSIGN_OR_RETURN_IMPL(FULEI_STATUS_CONCAT(fulei_result_, __LINE__), lhs, expr)
#define FULEI_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

// Aborts with file, line and the expression when a program invariant is broken.
#define FULEI_CHECK(cond)                                                       \
  do {                                                                          \
    if (!(cond)) ::fulei::internal::CheckFailed(__FILE__, __LINE__, #cond, ""); \
  } while (false)

#define FULEI_CHECK_OK(expr)                                                                     \
  do {                                                                                           \
    ::fulei::Status fulei_check_status_ = (expr);                                                \
    if (!fulei_check_status_.ok())                                                               \
      ::fulei::internal::CheckFailed(__FILE__, __LINE__, #expr, fulei_check_status_.ToString()); \
  } while (false)

#endif  // FULEI_CRDT_STATUS_H_
