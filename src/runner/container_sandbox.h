// Turning a stored container into the SandboxSpec that starts it: the image's user names
// resolved through its passwd/group, HOME/PATH/HOSTNAME defaults, the working directory made.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "runner/container_spec.h"
#include "runner/container_store.h"
#include "sandbox/sandbox_exec.h"
#include "sandbox/sandbox_spec.h"

namespace builder::runner {

/// The spec for one start of `container` (stdio fds left for the caller). Errors: an unknown
/// user or group (kNotFound, docker's wording), a bind source that vanished.
[[nodiscard]] Result<sandbox::SandboxSpec> SandboxSpecFor(const ContainerStore& store,
                                                          const ContainerSpec& container);

/// Why this process cannot give a container `limits` (memory, cpus, pids), e.g. a rootless
/// user without delegated cgroups ("create cgroup ...: Permission denied"); "" when it can, or
/// when no such limit is asked. Probes by creating and removing a cgroup with them.
std::string CgroupLimitsUnavailable(const LimitsSpec& limits);

/// `exec`'s settings over the container's own.
struct ExecOptions {
  std::vector<std::string> argv;
  std::vector<std::string> env;         ///< K=V over the container's
  std::optional<std::string> workdir;   ///< default: the container's
  std::optional<std::string> user;      ///< default: the container's
  bool privileged = false;
  bool tty = false;
  unsigned short tty_rows = 0, tty_cols = 0;
};

/// The ExecSpec for a process in the running `container`: its user (names through the live
/// rootfs's passwd), environment, capabilities, seccomp and cgroup. The caller sets stdio and
/// expected_start_time.
[[nodiscard]] Result<sandbox::ExecSpec> ExecSpecFor(const ContainerStore& store,
                                                    const ContainerSpec& container,
                                                    const ExecOptions& options);

/// --ulimit NAME=SOFT[:HARD] ("nofile=1024:2048", -1 or "unlimited" for no limit).
[[nodiscard]] Result<sandbox::ResourceLimit> ParseUlimit(std::string_view text);

}  // namespace builder::runner
