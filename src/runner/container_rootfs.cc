// OpenContainerRootfs: /proc/PID/root of a running container, or a detached overlay mount.
#include "runner/container_rootfs.h"

#include <fcntl.h>
#include <sched.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runner/process_identity.h"

namespace builder::runner {
namespace {

int FsOpen(const char* name) { return static_cast<int>(::syscall(SYS_fsopen, name, FSOPEN_CLOEXEC)); }
int FsConfig(int fd, unsigned cmd, const char* key, const char* value) {
  return static_cast<int>(::syscall(SYS_fsconfig, fd, cmd, key, value, 0));
}
int FsMount(int fd, unsigned attrs) {
  return static_cast<int>(::syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, attrs));
}

Result<UniqueFd> DetachedOverlay(const std::vector<std::string>& lowers, const std::string& upper,
                                 const std::string& work) {
  UniqueFd fs(FsOpen("overlay"));
  if (!fs && errno == EPERM && ::geteuid() == 0) {
    // Root of a user namespace (a rootless store's builder) that still shares the host's mount
    // namespace: a mount namespace of its own makes overlay mounts its to make. This process
    // only; the mount is detached anyway.
    if (::unshare(CLONE_NEWNS) != 0) return FailErrno("unshare the mount namespace", errno);
    fs = UniqueFd(FsOpen("overlay"));
  }
  if (!fs && errno == EPERM) {
    return Fail(ErrorCode::kUnsupported, "mounting the container's filesystem needs root or a user namespace");
  }
  if (!fs) return FailErrno("fsopen overlay", errno);
  // One lowerdir+ per layer: no page limit on the option string, no separator escaping.
  for (const std::string& dir : lowers) {
    if (FsConfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", dir.c_str()) != 0) {
      return FailErrno("overlay lowerdir+ " + dir, errno);
    }
  }
  if (!upper.empty()) {
    if (FsConfig(fs.get(), FSCONFIG_SET_STRING, "upperdir", upper.c_str()) != 0) {
      return FailErrno("overlay upperdir " + upper, errno);
    }
    if (FsConfig(fs.get(), FSCONFIG_SET_STRING, "workdir", work.c_str()) != 0) {
      return FailErrno("overlay workdir " + work, errno);
    }
  }
  // The sandbox mounts with userxattr: opaque markers are user.overlay.opaque.
  if (FsConfig(fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr) != 0) {
    return FailErrno("overlay userxattr", errno);
  }
  if (FsConfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr) != 0) {
    return FailErrno("mount overlay of " + std::to_string(lowers.size()) + " layers", errno);
  }
  UniqueFd mnt(FsMount(fs.get(), upper.empty() ? MOUNT_ATTR_RDONLY : 0));
  if (!mnt) return FailErrno("fsmount overlay", errno);
  // A real directory fd (fsmount gives an O_PATH one), so it can be listed too.
  UniqueFd dir(::openat(mnt.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return FailErrno("open the overlay's root", errno);
  return dir;
}

}  // namespace

Result<UniqueFd> OpenContainerRootfs(const ContainerStore& store, const std::string& id,
                                     RootfsUse use) {
  const ContainerSpec spec = BUILDER_TRY(store.LoadSpec(id));
  const std::string dir = store.DirOf(id);
  if (use != RootfsUse::kExport) {
    ContainerView view = BUILDER_TRY(store.View(id));
    if (view.state.active() && view.monitor_alive && view.state.pid > 0) {
      const std::string root = "/proc/" + std::to_string(view.state.pid) + "/root";
      UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!fd) return FailErrno("open " + root, errno);
      // The pid could have been reused between reading the state and the open.
      if (!ProcessAlive(view.state.pid, view.state.pid_start)) {
        return Fail(ErrorCode::kInvalidArgument, "container " + spec.name + " stopped while being opened");
      }
      return fd;
    }
  }
  if (use == RootfsUse::kWrite) return DetachedOverlay(spec.rootfs_layers, dir + "/upper", dir + "/work");
  std::vector<std::string> lowers = {dir + "/upper"};
  lowers.insert(lowers.end(), spec.rootfs_layers.begin(), spec.rootfs_layers.end());
  return DetachedOverlay(lowers, "", "");
}

}  // namespace builder::runner
