// FileLock: an flock(2) held on a lock file for as long as the object lives.
#pragma once

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"

namespace builder {

/// An advisory lock on a file (created if missing). Exclusive locks serialize writers of shared
/// state such as the store's index.json; shared locks let readers and builds coexist. Released
/// when destroyed, and by the kernel when the process dies, so a crash never leaves it held.
class FileLock {
 public:
  enum class Mode { kShared, kExclusive };

  /// Blocks until the lock is granted.
  [[nodiscard]] static Result<FileLock> Acquire(const std::string& path, Mode mode);
  /// Like Acquire, but fails with kAlreadyExists at once when another holder conflicts.
  [[nodiscard]] static Result<FileLock> TryAcquire(const std::string& path, Mode mode);

  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace builder
