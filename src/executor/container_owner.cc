// Giving a file the executor writes into an upper dir its container owner, as host root or rootless.
#include "executor/container_owner.h"

#include <unistd.h>

namespace builder::executor {

Result<void> ChownToContainer(const std::string& path, uid_t uid, gid_t gid) {
  if (geteuid() != 0) {
    if (uid == 0 && gid == 0) return {};
    return Fail(ErrorCode::kUnsupported,
                "chown " + path + " to " + std::to_string(uid) + ":" + std::to_string(gid) +
                    ": a rootless build can only create root-owned files");
  }
  if (lchown(path.c_str(), uid, gid) != 0) return FailErrno("chown " + path, errno);
  return {};
}

}  // namespace builder::executor
