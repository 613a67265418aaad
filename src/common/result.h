// crmsync's one error rule.
//
// Expected failures (a Salesforce error, a refused record, a bad config line, an unreachable host)
// are values: functions return Result<T> (or Status = Result<void>) carrying an Error that says what
// went wrong in words a user can act on. Exceptions are reserved for programming errors (a broken
// invariant); they are never used for control flow and never cross a module boundary on purpose.
//
//   Result<Config> c = load_config(path);
//   if (!c) { std::cerr << c.error().to_string() << "\n"; return 2; }
//   use(*c);
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace crmsync {

// What kind of failure, so callers can decide (retry, re-login, stop, exit code) without
// parsing messages.
enum class ErrorKind {
  kConfig,        // the user's configuration or input is wrong
  kNetwork,       // host unreachable, connection dropped, truncated body
  kAuth,          // login refused (OAuth error) or session invalid
  kSalesforce,    // Salesforce answered with an error body (see code / http_status)
  kPermission,    // the integration user lacks a permission
  kUnsupported,   // a field type or feature crmsync does not support
  kNotFound,      // an object, field or record does not exist
  kStore,         // the local database refused an operation
  kLimit,         // an API limit or quota guard stopped the work
  kInternal,      // a bug; report it
};

const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // Salesforce's errorCode / OAuth error, or crmsync's own code
  std::string message;  // a full sentence naming the thing and, where known, the fix
  int http_status = 0;  // the HTTP status when the error came from an HTTP answer
  // The record fields a Salesforce error about one record's save names (its "fields", possibly
  // none); unset for other errors, whose Salesforce body has no "fields" member.
  std::optional<std::vector<std::string>> fields;

  Error() = default;
  Error(ErrorKind k, std::string c, std::string m, int status = 0)
      : kind(k), code(std::move(c)), message(std::move(m)), http_status(status) {}

  // "INVALID_FIELD: No such column ..." or just the message when there is no code.
  std::string to_string() const;
};

// A value or an Error. Minimal on purpose; mirrors the parts of std::expected we use.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    if (ok()) throw std::logic_error("Result::error() called on a value");
    return std::get<1>(v_);
  }

 private:
  void check() const {
    if (!ok()) throw std::logic_error("Result::value() called on an error: " + std::get<1>(v_).to_string());
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    if (ok()) throw std::logic_error("Status::error() called on success");
    return *e_;
  }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

}  // namespace crmsync

// Propagates an error from an expression returning Result/Status.
#define CRMSYNC_TRY(expr)                                  \
  do {                                                     \
    auto&& crmsync_try_r_ = (expr);                        \
    if (!crmsync_try_r_.ok()) return crmsync_try_r_.error(); \
  } while (0)
