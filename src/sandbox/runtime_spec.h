// RuntimeSpec: a SandboxSpec written as an OCI runtime-spec config.json, for crun/runc as judges.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "sandbox/id_map.h"
#include "sandbox/sandbox_spec.h"

namespace builder::sandbox {

/// The OCI runtime-spec (1.0.2) config that makes crun or runc run what Sandbox::Start runs for
/// `spec`, with `rootfs_path` (an unpacked copy of the image) as root.path instead of the overlay:
///  - process: terminal, consoleSize, user (uid, gid, additionalGids), args, env, cwd, all five
///    capability sets (ambient empty, as the sandbox clears it), rlimits, noNewPrivileges;
///  - root {path, readonly}, hostname;
///  - mounts in the sandbox's order: proc, /dev tmpfs, devpts (gid=5 when mapped), /dev/shm,
///    /dev/mqueue, /etc/resolv.conf and /etc/hosts (the host's when present, read-only, or the
///    runner's files, writable), /etc/hostname, sysfs (when mount_sysfs) with an empty tmpfs
///    on /sys/fs/cgroup unless privileged, the binds, the tmpfs mounts. The /dev nodes and
///    the /dev symlinks the sandbox makes are the runtime's defaults, so they are not listed;
///  - linux: pid, ipc, uts, mount and user namespaces (+ network for NetworkMode::kNone), the
///    uid/gid maps of `maps`, runc's masked and read-only paths (none when privileged),
///    resources from cgroup_limits, and seccomp: the default policy as defaultAction
///    SCMP_ACT_ALLOW with the denied syscalls SCMP_ACT_ERRNO/EPERM, clone and unshare of each
///    CLONE_NEW* flag denied by a masked-equal rule, clone3 ENOSYS; a Docker profile is carried
///    over (entries whose includes/excludes do not hold for the capabilities are dropped);
///    unconfined or privileged: no seccomp object. The personality allow-list of the default
///    policy cannot be written with defaultAction ALLOW and is left out.
nlohmann::json RuntimeSpec(const SandboxSpec& spec, const std::string& rootfs_path,
                           const IdMaps& maps);

/// RuntimeSpec with the maps Sandbox::Start would use for this user (IdMapsForCurrentUser).
[[nodiscard]] Result<nlohmann::json> RuntimeSpecForCurrentUser(const SandboxSpec& spec,
                                                               const std::string& rootfs_path);

}  // namespace builder::sandbox
