// UniqueFd: a move-only owner of one file descriptor.
#pragma once

#include <utility>

#include "base/error.h"

namespace builder {

/// Owns an fd and closes it on destruction. Close() reports the close(2) error when it matters
/// (e.g. after writing a file that must be durable).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  /// Gives up ownership without closing.
  int Release() { return std::exchange(fd_, -1); }
  /// Closes the current fd (errors ignored) and takes fd.
  void Reset(int fd = -1);
  /// Closes and reports the error of close(2).
  [[nodiscard]] Result<void> Close();

 private:
  int fd_ = -1;
};

/// A pipe's two ends, both O_CLOEXEC.
struct Pipe {
  UniqueFd read;
  UniqueFd write;
};
[[nodiscard]] Result<Pipe> MakePipe();

}  // namespace builder
