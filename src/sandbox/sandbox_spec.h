// SandboxSpec: the typed description of one sandboxed process (rootfs layers, process, network).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/subprocess.h"

namespace builder::sandbox {

/// kHost shares the host's network namespace (the default, as `docker build`); kNone gives an
/// empty network namespace with only the loopback interface, up.
enum class NetworkMode { kHost, kNone };

/// A host path made visible inside the rootfs (later: RUN --mount). The destination is created
/// in the rootfs when missing (a directory, or an empty file when the source is not a directory)
/// and reported in SandboxResult::created_paths like every other mount point.
struct BindMount {
  std::string source;       ///< absolute host path
  std::string destination;  ///< absolute path inside the rootfs
  bool read_only = true;
};

/// Everything the sandbox needs; it knows nothing of images: the caller resolves user names,
/// PATH defaults, WORKDIR creation and the snapshot directories.
struct SandboxSpec {
  /// overlayfs lower dirs, topmost first (the order of overlayfs `lowerdir=`). At least one.
  std::vector<std::string> lower_dirs;
  /// A fresh, empty directory receiving every write; it becomes the layer diff.
  std::string upper_dir;
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
};

}  // namespace builder::sandbox
