// UniqueFd and pipe creation.
#include "base/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace builder {

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<void> UniqueFd::Close() {
  if (fd_ < 0) return {};
  int rc = ::close(Release());
  // EINTR after close still releases the fd on Linux; retrying would close someone else's.
  if (rc != 0 && errno != EINTR) return FailErrno("close", errno);
  return {};
}

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return FailErrno("pipe2", errno);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace builder
