// Giving a file the executor writes into an upper dir its container owner, as host root or rootless.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/error.h"

namespace builder::executor {

/// lchown of `path` (never following a symlink) so that the sandbox sees it owned by container
/// `uid`:`gid`. As host root the sandbox's id map is the identity: a plain lchown. Rootless,
/// container root is the calling user, whose new files already are root's inside, so 0:0 is a
/// no-op; other ids would need a chown inside the user namespace and fail with kUnsupported
/// (naming the path and the ids). Other errors: the lchown errno.
[[nodiscard]] Result<void> ChownToContainer(const std::string& path, uid_t uid, gid_t gid);

}  // namespace builder::executor
