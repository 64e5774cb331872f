// A running container's own cgroup (builder/<id>): found from its init's /proc/PID/cgroup, and
// frozen or thawed for pause/unpause.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/error.h"
#include "runner/container_store.h"
#include "sandbox/cgroup.h"

namespace builder::runner {

/// The cgroup the container's init is in, checked to be the container's own in every
/// hierarchy (never the caller's: freezing that would freeze the shell). kInvalidArgument
/// when it does not run; kUnsupported when it has no cgroup of its own (rootless without
/// cgroup delegation).
[[nodiscard]] Result<sandbox::Cgroup> ContainerCgroup(const ContainerView& view);

/// Whether `pid` sits in the container `id`'s own cgroup (builder/<id>) in every hierarchy.
/// A container started where no cgroup could be made (rootless) does not: its execs and
/// health checks must not try to join one.
bool InOwnCgroup(pid_t pid, const std::string& id);

/// Freezes every process of a running container and records it paused (docker's errors for a
/// container not running or already paused).
[[nodiscard]] Result<void> PauseContainer(const ContainerStore& store, const std::string& id);
/// Thaws a paused container and records it running again.
[[nodiscard]] Result<void> UnpauseContainer(const ContainerStore& store, const std::string& id);
/// Thaws the container when it is paused, so a signal (stop, kill, rm -f) reaches it, as
/// docker does; no-op otherwise.
[[nodiscard]] Result<void> ThawIfPaused(const ContainerStore& store, const std::string& id);

}  // namespace builder::runner
