// SandboxSpec: the typed description of one sandboxed process (rootfs layers, process, network).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/subprocess.h"
#include "sandbox/capabilities.h"

namespace builder::sandbox {

/// kHost shares the host's network namespace (the default, as `docker build`); kNone gives an
/// empty network namespace with only the loopback interface, up. kConfigured is kNone plus
/// SandboxSpec::configure_network, called by the parent before the command starts (a veth moved
/// in, addresses, routes: the runner's bridge networks).
enum class NetworkMode { kHost, kNone, kConfigured };

/// Whether the mode gives the sandbox a network namespace of its own.
inline bool OwnNetworkNamespace(NetworkMode mode) { return mode != NetworkMode::kHost; }

/// A host path made visible inside the rootfs (later: RUN --mount). The destination is created
/// in the rootfs when missing (a directory, or an empty file when the source is not a directory)
/// and reported in SandboxResult::created_paths like every other mount point.
struct BindMount {
  std::string source;       ///< absolute host path
  std::string destination;  ///< absolute path inside the rootfs
  bool read_only = true;
};

/// A tmpfs mounted inside the rootfs (docker run --tmpfs / --read-only's writable places). The
/// destination is created like a bind's when missing.
struct TmpfsMount {
  std::string destination;  ///< absolute path inside the rootfs
  uint64_t size_bytes = 0;  ///< 0: the kernel default (half of RAM)
  mode_t mode = 01777;
  bool read_only = false;
  bool noexec = false;
};

/// One setrlimit(2) applied to the command (docker run --ulimit). Limits may only be lowered:
/// a value above this process's current hard limit is refused (kInvalidArgument) by Start.
struct ResourceLimit {
  int resource;  ///< RLIMIT_*
  uint64_t soft;
  uint64_t hard;
};

/// kDefault: the built-in deny-list (seccomp_filter.h); kUnconfined: no filter at all;
/// kProfile: SandboxSpec::seccomp_profile, a Docker seccomp JSON profile.
enum class SeccompMode { kDefault, kUnconfined, kProfile };

/// Limits written into the sandbox's own cgroup (cgroup.h). 0 means "no limit" for each.
struct CgroupLimits {
  int64_t memory_bytes = 0;  ///< memory.max / memory.limit_in_bytes; swap is denied with it
  int64_t cpu_quota_us = 0;  ///< cpu.max / cpu.cfs_quota_us, per cpu_period_us
  int64_t cpu_period_us = 100000;
  int64_t pids_max = 0;  ///< pids.max
};

/// Everything the sandbox needs; it knows nothing of images: the caller resolves user names,
/// PATH defaults, WORKDIR creation and the snapshot directories.
struct SandboxSpec {
  /// overlayfs lower dirs, topmost first (the order of overlayfs `lowerdir=`). At least one.
  std::vector<std::string> lower_dirs;
  /// A fresh, empty directory receiving every write; it becomes the layer diff.
  std::string upper_dir;
  /// The caller deletes upper_dir once the sandbox ends (a --rm container): the mount points the
  /// sandbox made there are left in it instead of removed one by one.
  bool discard_upper = false;
  /// The sandbox keeps its mount namespace open (Sandbox::TakeMountNamespace): the command's
  /// exit then skips the namespace's teardown, which waits for RCU grace periods (5-40 ms here)
  /// before the exit is seen; whoever takes the hold pays that once it has reported the exit.
  bool hold_mount_namespace = false;
  /// overlayfs work dir: empty, on the same filesystem as upper_dir.
  std::string work_dir;

  /// argv[0] without a '/' is looked up in the PATH of `env` (Docker's default PATH when `env`
  /// has none), inside the rootfs.
  std::vector<std::string> argv;
  std::vector<std::string> env;  ///< "K=V"; exactly what the process gets
  std::string cwd = "/";         ///< must exist in the rootfs (the executor creates WORKDIR)
  uid_t uid = 0;                 ///< container ids, numeric
  gid_t gid = 0;
  std::vector<gid_t> groups;  ///< supplementary groups
  std::string hostname = "builder";
  NetworkMode network = NetworkMode::kHost;
  /// kConfigured only: called in the parent with the sandbox's init pid once its (empty) network
  /// namespace exists and before the command starts, so the command finds its interfaces up. An
  /// error fails Start (the sandbox is torn down). The loopback is brought up by the sandbox.
  std::function<Result<void>(pid_t child)> configure_network;
  std::vector<BindMount> binds;
  /// Read-only binds of the host's /etc/resolv.conf and /etc/hosts (skipped when the host has
  /// none).
  bool mount_resolv_conf = true;
  bool mount_hosts = true;

  /// Where the process's stdout/stderr go; the caller keeps ownership. -1 means /dev/null.
  /// stdin is always /dev/null. A pipe must be drained while the process runs (Sandbox::Start,
  /// read until EOF, then Wait; or a reader thread around RunSandboxed): the sandbox does not
  /// buffer output.
  int stdout_fd = -1;
  int stderr_fd = -1;
  /// The command's stdin; the caller keeps ownership. -1 means /dev/null. Ignored with `tty`.
  int stdin_fd = -1;
  /// Allocate a pty in the container's own devpts; the command gets its slave as 0/1/2 and as its
  /// controlling terminal. The parent takes the master with Sandbox::TakePtyMaster().
  bool tty = false;
  unsigned short tty_rows = 0;  ///< initial window size; 0 leaves the kernel's default
  unsigned short tty_cols = 0;

  /// true: the command itself is pid 1 (docker run without --init): /proc/1/cmdline is the
  /// command, signals reach it directly, and nobody reaps orphans for it. false: builder-init is
  /// pid 1, forwards signals and reaps (build; docker run --init).
  bool command_is_pid1 = false;

  /// Capabilities left to the command (bounding, effective, permitted, inheritable).
  uint64_t capabilities = DefaultCapabilities();
  /// docker run --privileged: every capability, no seccomp filter, no masked or read-only
  /// /proc and /sys paths. Overrides `capabilities` and `seccomp`.
  bool privileged = false;
  SeccompMode seccomp = SeccompMode::kDefault;
  /// kProfile only: a Docker seccomp JSON profile's text (defaultAction, architectures,
  /// syscalls[].names/action/args/errnoRet). A profile that does not parse fails Start.
  std::string seccomp_profile;
  /// Where compiled seccomp programs are kept between runs (seccomp_cache.h); empty: none.
  std::string seccomp_cache_dir;
  /// PR_SET_NO_NEW_PRIVS before exec. The build keeps true; docker run's default is false, in
  /// which case the seccomp filter is installed while CAP_SYS_ADMIN (user ns) is still held.
  bool no_new_privileges = true;
  /// Remount the overlay root read-only once every mount is in place (docker run --read-only).
  bool read_only_rootfs = false;
  std::vector<TmpfsMount> tmpfs;
  std::vector<ResourceLimit> rlimits;
  /// "" = no cgroup of our own; else e.g. "builder/<id>", created under this process's own cgroup
  /// in each v1 hierarchy and in v2, with `cgroup_limits` written before the command starts.
  /// Without limits a cgroup that cannot be made (kUnsupported: rootless) is skipped.
  std::string cgroup_name;
  CgroupLimits cgroup_limits;
  /// Read-only /sys: a fresh sysfs with an own network namespace, else a read-only rbind of the
  /// host's /sys; /sys/firmware and /sys/devices/virtual/powercap masked as Docker does, and
  /// /sys/fs/cgroup (the host's cgroup mounts under a bound /sys).
  bool mount_sysfs = false;
  /// When set: the container's own copies (writable, as docker's) bound at /etc/hosts,
  /// /etc/resolv.conf, /etc/hostname
  /// instead of the host's own /etc/hosts and /etc/resolv.conf (mount_hosts/mount_resolv_conf).
  std::string hosts_file;
  std::string resolv_conf_file;
  std::string hostname_file;
};

/// How a sandboxed process ended, and what the sandbox itself put into the upper dir.
struct SandboxResult {
  ExitStatus status;
  /// Paths (relative to the rootfs, "etc/resolv.conf", parents first) that the sandbox created in
  /// the upper dir as mount points. After the process ends the sandbox removes each one that is
  /// still untouched (an empty file, an empty directory), so a clean upper dir equals the
  /// process's own writes. What remains listed in `leftover_paths` (a directory the process also
  /// wrote into) must stay in the diff; nothing else needs excluding.
  std::vector<std::string> created_paths;
  std::vector<std::string> leftover_paths;
  /// The kernel's OOM killer killed a process of the sandbox's cgroup (needs cgroup_name).
  bool oom_killed = false;
};

}  // namespace builder::sandbox
