// Giving a file the executor writes into an upper dir its container owner, as host root or rootless.
#include "executor/container_owner.h"

#include <unistd.h>

namespace builder::executor {

Result<void> ChownToContainer(const std::string& path, uid_t uid, gid_t gid) {
  const std::string what = "chown " + path + " to " + std::to_string(uid) + ":" + std::to_string(gid);
  if (geteuid() != 0) {
    if (uid == 0 && gid == 0) return {};
    return Fail(ErrorCode::kUnsupported,
                what + ": a rootless build can only create root-owned files (without "
                       "/etc/subuid and /etc/subgid ranges for the user)");
  }
  if (lchown(path.c_str(), uid, gid) == 0) return {};
  // As root of builder's user namespace only the ids of the subordinate ranges exist.
  if (errno == EINVAL) {
    return Fail(ErrorCode::kUnsupported,
                what + ": the id is not mapped in builder's user namespace (the /etc/subuid or "
                       "/etc/subgid range is too small)");
  }
  return FailErrno(what, errno);
}

}  // namespace builder::executor
