/** \file Error.h
 * The two kinds of failure in the compiler: a user's mistake (CompileError, reported as
 * ember.errors.TypingError or UnsupportedError at the user's source line) and ember's own bug
 * (InternalError).  Passes raise them through the macros below; nothing else in the compiler
 * throws.  Messages are built lazily with `<<` so a passing check costs one branch.
 */
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

/// A position in the user's Python source: an absolute line number (0 when unknown).
struct SourceLoc {
  int32_t line = 0;
};

enum class ErrorKind : uint8_t {
  Typing,       ///< the program is ill-typed: ember.errors.TypingError
  Unsupported,  ///< valid Python that ember does not compile: ember.errors.UnsupportedError
  Internal,     ///< a bug in ember: ember.errors.InternalError
};

class CompileError : public std::runtime_error {
 public:
  CompileError(ErrorKind kind, std::string message, SourceLoc loc)
      : std::runtime_error(message), kind_(kind), loc_(loc) {}
  ErrorKind kind() const { return kind_; }
  SourceLoc loc() const { return loc_; }

 private:
  ErrorKind kind_;
  SourceLoc loc_;
};

namespace detail {
/// Collects a message with `<<` and throws when destroyed at the end of the full expression.
class ErrorReporter {
 public:
  ErrorReporter(ErrorKind kind, SourceLoc loc) : kind_(kind), loc_(loc) {}
  ErrorReporter(const ErrorReporter &) = delete;
  ErrorReporter &operator=(const ErrorReporter &) = delete;
  [[noreturn]] ~ErrorReporter() noexcept(false) { throw CompileError(kind_, stream_.str(), loc_); }
  template <typename T>
  ErrorReporter &operator<<(const T &value) {
    stream_ << value;
    return *this;
  }

 private:
  ErrorKind kind_;
  SourceLoc loc_;
  std::ostringstream stream_;
};
}  // namespace detail

}  // namespace ember

/// `typing_error(loc) << "message";` raises a TypingError at the user's line.
#define typing_error(loc) ::ember::detail::ErrorReporter(::ember::ErrorKind::Typing, (loc))
/// `unsupported(loc) << "message";` raises an UnsupportedError at the user's line.
#define unsupported(loc) ::ember::detail::ErrorReporter(::ember::ErrorKind::Unsupported, (loc))
/// `user_assert(cond, loc) << "message";` raises a TypingError when cond is false.
#define user_assert(cond, loc) \
  if (cond) {                  \
  } else                       \
    typing_error(loc)
/// `internal_assert(cond) << "message";` reports a bug in ember when cond is false.
#define internal_assert(cond)                                                          \
  if (cond) {                                                                          \
  } else                                                                               \
    ::ember::detail::ErrorReporter(::ember::ErrorKind::Internal, ::ember::SourceLoc{}) \
        << __FILE__ << ":" << __LINE__ << ": " #cond " failed: "
#define internal_error                                                               \
  ::ember::detail::ErrorReporter(::ember::ErrorKind::Internal, ::ember::SourceLoc{}) \
      << __FILE__ << ":" << __LINE__ << ": "
