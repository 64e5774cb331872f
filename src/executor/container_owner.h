// Giving a file the executor writes into an upper dir its container owner, as host root or rootless.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/error.h"

namespace builder::executor {

/// lchown of `path` (never following a symlink) so that the sandbox sees it owned by container
/// `uid`:`gid`. As root (of the host, or of builder's user namespace over the user's
/// subordinate ids) the sandbox's id map is the identity: a plain lchown; an id that namespace
/// does not map fails with kUnsupported. Rootless without subordinate ids, container root is the
/// calling user, whose new files already are root's inside, so 0:0 is a no-op; other ids fail
/// with kUnsupported (naming the path and the ids). Other errors: the lchown errno.
[[nodiscard]] Result<void> ChownToContainer(const std::string& path, uid_t uid, gid_t gid);

}  // namespace builder::executor
