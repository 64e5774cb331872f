// flock(2)-based advisory locks on lock files.
#include "base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace builder {

namespace {

Result<FileLock> Lock(const std::string& path, FileLock::Mode mode, bool wait,
                      FileLock (*make)(UniqueFd)) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return FailErrno("open lock " + path, errno);
  int op = (mode == FileLock::Mode::kExclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
  while (::flock(fd.get(), op) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return Fail(ErrorCode::kAlreadyExists, path + " is locked by another process");
    return FailErrno("flock " + path, errno);
  }
  return make(std::move(fd));
}

}  // namespace

Result<FileLock> FileLock::Acquire(const std::string& path, Mode mode) {
  return Lock(path, mode, true, [](UniqueFd fd) { return FileLock(std::move(fd)); });
}

Result<FileLock> FileLock::TryAcquire(const std::string& path, Mode mode) {
  return Lock(path, mode, false, [](UniqueFd fd) { return FileLock(std::move(fd)); });
}

}  // namespace builder
