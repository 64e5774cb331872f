// Error and Result<T>: the one way fallible code in builder reports failure.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace builder {

/// Broad classes of failure; callers branch on these, humans read the message.
enum class ErrorCode {
  kInternal,
  kInvalidArgument,  ///< the user asked for something malformed
  kParse,            ///< input text (Dockerfile, JSON, ignore file) is malformed
  kNotFound,
  kAlreadyExists,
  kIo,               ///< a system call failed; sys_errno() says why
  kCorrupt,          ///< stored or received data fails verification
  kUnsupported,
  kPermission,
  kCancelled,
};

/// Where in a text file an error was found. line and col are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int col = 0;
  std::string line_text;  ///< the offending line, shown with a caret under col
};

/// A failure: code, errno where there is one, a message, context added one verb phrase at a time,
/// and for text input the source location.
class Error {
 public:
  Error(ErrorCode code, std::string message, int sys_errno = 0)
      : code_(code), message_(std::move(message)), sys_errno_(sys_errno) {}

  /// An error for a failed system call: "<operation>: <strerror(err)>".
  static Error FromErrno(std::string_view operation, int err);
  /// A parse error located in a file; the message is the cause only.
  static Error AtSource(SourceLocation location, std::string message);

  ErrorCode code() const { return code_; }
  int sys_errno() const { return sys_errno_; }
  const std::string& message() const { return message_; }
  const SourceLocation& location() const { return location_; }
  bool has_location() const { return !location_.file.empty() || location_.line > 0; }

  /// Prepends context: Error("open x").Context("unpack layer") prints "unpack layer: open x".
  Error& Context(std::string_view phrase) &;
  Error&& Context(std::string_view phrase) &&;

  /// One line: "[file:line:col: ]context: message". No caret.
  std::string ToString() const;
  /// ToString() plus, when the source line is known, the line and a caret under the column.
  std::string Describe() const;

 private:
  ErrorCode code_;
  std::string message_;
  int sys_errno_ = 0;
  SourceLocation location_;
};

template <class T>
using Result = std::expected<T, Error>;

/// Shorthand for returning an error from a function that returns Result<T>.
inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}
inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }
inline std::unexpected<Error> FailErrno(std::string_view operation, int err) {
  return std::unexpected<Error>(Error::FromErrno(operation, err));
}

/// The one place errno values become text.
std::string ErrnoText(int err);

/// Quotes untrusted text (a tar entry name, a path from a layer) for an error message: control
/// bytes as \xNN, cut after max_bytes with "..." so a hostile 1 MiB name cannot flood a log.
std::string QuoteForMessage(std::string_view text, std::size_t max_bytes = 200);

}  // namespace builder

/// Propagates an error from a Result expression; evaluates to its value. A GNU statement
/// expression (g++ and clang); __extension__ keeps -Wpedantic quiet about it.
#define BUILDER_TRY(expr)                                               \
  __extension__({                                                       \
    auto&& builder_try_r_ = (expr);                                     \
    if (!builder_try_r_) return std::unexpected(std::move(builder_try_r_).error()); \
    std::move(builder_try_r_).value();                                  \
  })
