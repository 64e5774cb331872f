// CopyTreeContents: a faithful copy of one directory's contents into another (volume copy-up).
#pragma once

#include "base/error.h"

namespace builder::runner {

/// Copies everything under the directory `src_fd` into the directory `dst_fd` (both taken as
/// open directory fds, not closed): regular files, directories, symlinks (copied as links,
/// never followed), hard links (kept linked within the copy), device nodes, fifos; with their
/// owners, modes (setuid/setgid included, applied after the chown), extended attributes and
/// times (directories' after their contents); `dst_fd` itself gets the owner, mode, xattrs and
/// times of `src_fd`, as docker's copy-up gives the volume its image directory's. Sockets are skipped. Every lookup is an *at()
/// call relative to an fd opened with O_NOFOLLOW, so a symlink in the source can never lead
/// the copy out of it. Entries that exist in `dst_fd` already are an error (EEXIST).
/// xattrs the destination filesystem or our privileges refuse (trusted.*, security.* without
/// CAP_SYS_ADMIN; ENOTSUP, EPERM) are skipped, as `cp -a` does.
/// Iterative: a hostile tree thousands of directories deep costs heap, not stack.
[[nodiscard]] Result<void> CopyTreeContents(int src_fd, int dst_fd);

}  // namespace builder::runner
