// The mount plan: every mount of the sandbox's rootfs as plain data, built by the parent.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "sandbox/sandbox_spec.h"

namespace builder::sandbox {

enum class MountOp {
  kMount,     ///< mount(source, target, fstype, flags, data)
  kBind,      ///< bind a host path, then remount read-only when asked
  kSymlink,   ///< target becomes a symlink whose text is source
  kReadOnly,  ///< target (inside the rootfs) is bound onto itself and remounted read-only
};

/// What to create at a missing target (the child resolves it inside the rootfs, never through a
/// symlink pointing out of it); kExisting skips the step when the target is missing.
enum class TargetKind { kDir, kFile, kExisting };

struct MountStep {
  MountOp op = MountOp::kMount;
  std::string source;  ///< kMount: fs source; kBind: absolute host path; kSymlink: link text
  std::string target;  ///< absolute path inside the rootfs
  std::string fstype;
  unsigned long flags = 0;
  std::string data;
  TargetKind create = TargetKind::kDir;
  bool read_only = false;  ///< kBind: remount read-only (keeping the locked flags)
  bool optional = false;   ///< kBind: skipped when the host source does not exist
  bool recursive_read_only = false;  ///< kBind: read_only applies to every mount below too
};

/// The overlayfs root, then the steps in order, applied under it before pivot_root.
struct MountPlan {
  /// mount(2) data for the root; empty when the options exceed a page and the child must
  /// build the mount with fsopen/fsconfig ("lowerdir+" per layer, Linux >= 6.8) instead.
  std::string overlay_options;
  std::vector<std::string> lower_dirs;  ///< for the fsconfig path
  std::string upper_dir;
  std::string work_dir;
  std::vector<MountStep> steps;
};

/// Options of the overlayfs root: "lowerdir=L1:L2,upperdir=U,workdir=W,userxattr". userxattr
/// is always set because the mount is made inside a user namespace (even as host root), so
/// opaque directories are marked with user.overlay.opaque, which oci::LayerWriter reads.
/// Fails for paths that are relative or contain ':', ',' or '\\' (overlayfs separators)
/// (kInvalidArgument), and with kUnsupported when the options exceed the one page mount(2)
/// accepts (BuildMountPlan then switches to fsconfig).
[[nodiscard]] Result<std::string> OverlayOptions(const std::vector<std::string>& lower_dirs,
                                                 const std::string& upper_dir,
                                                 const std::string& work_dir);

/// The full plan for `spec`: fresh /proc; /dev as a tmpfs with the host's null, zero, full,
/// random, urandom and tty bound in, a private devpts (ptmxmode=0666, gid=5 when
/// `tty_gid_mapped`), /dev/ptmx, fd, stdin, stdout, stderr symlinks, a tmpfs /dev/shm and an
/// mqueue /dev/mqueue;
/// read-only binds of the host's /etc/resolv.conf and /etc/hosts; then spec.binds; last, as
/// Docker does, /proc/{kcore,keys,timer_list,...} masked by /dev/null, /proc/{acpi,asound,scsi}
/// by an empty read-only tmpfs, and /proc/{bus,fs,irq,sys,sysrq-trigger} read-only.
/// With spec.mount_sysfs a read-only /sys (sysfs with an own network namespace, else a recursive
/// read-only bind of the host's) with /sys/firmware, /sys/devices/virtual/powercap and
/// /sys/fs/cgroup (the host's cgroup mounts) masked by empty read-only tmpfs.
/// spec.hosts_file, resolv_conf_file and hostname_file replace the host's files, bound
/// writable (they are the container's own copies); spec.tmpfs
/// mounts come after the binds; privileged skips the /proc and /sys masks.
/// Fails when a bind source is missing or a destination is not a clean absolute path.
[[nodiscard]] Result<MountPlan> BuildMountPlan(const SandboxSpec& spec, bool tty_gid_mapped);

}  // namespace builder::sandbox
