// Status and Result: how Signaalnet functions report failure without exceptions
// crossing module boundaries. The code doubles as the CLI's exit code.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace signaal {

// Exit codes of the command-line contract (DESIGN §8).
enum class Code : int {
  kOk = 0,
  kRuntime = 1,      // I/O, storage, anything unexpected
  kUsage = 2,        // bad arguments or bad input named in the message
  kUnreachable = 3,  // daemon or broker not answering
  kRefused = 4,      // authentication, authorisation or validation refused
};

// The outcome of an operation: ok, or a code and one sentence naming the input
// at fault (file, row, field). [[nodiscard]]: a Status is handled, returned,
// or dropped on purpose with IgnoreError() and a comment saying why.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Runtime(std::string msg) { return Status(Code::kRuntime, std::move(msg)); }
  static Status Usage(std::string msg) { return Status(Code::kUsage, std::move(msg)); }
  static Status Unreachable(std::string msg) { return Status(Code::kUnreachable, std::move(msg)); }
  static Status Refused(std::string msg) { return Status(Code::kRefused, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int exit_code() const { return static_cast<int>(code_); }
  const std::string& message() const { return message_; }
  // For a failure the caller has decided it can do nothing about (a log line
  // that could not be written, a best-effort clean-up): says so in the code.
  // The call site's comment says why.
  void IgnoreError() const {}
  // The same failure with where it happened in front: "node.toml: key 'x': …".
  Status Prefixed(const std::string& where) const {
    return ok() ? *this : Status(code_, where + ": " + message_);
  }

  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace signaal
