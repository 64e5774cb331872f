// ContainerRootfs: a container's merged root filesystem opened as a directory fd, for export
// and cp, without touching the container's own mounts.
#pragma once

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "runner/container_store.h"

namespace builder::runner {

enum class RootfsUse {
  kExport,  ///< read-only, image layers and upper dir only (no volumes, /proc, ...)
  kRead,    ///< read what the container sees (cp out)
  kWrite,   ///< change what the container sees (cp in)
};

/// The root of the container `id` as a directory fd:
///  - kExport: always a fresh read-only overlay, detached (fsopen/fsmount: no mount point,
///    gone with the last fd), of the upper dir stacked over the image's layers as lower dirs.
///    Safe while the container runs: nothing writes through it, and the live upper dir is
///    only read.
///  - kRead and kWrite of a running container: its root as its own processes see it,
///    /proc/PID/root (the pid checked against its start time), volumes and tmpfs mounts
///    included as docker cp sees them, and writes go through the container's own overlay
///    (a second writable mount of a live upper dir is undefined behaviour in overlayfs).
///  - kRead of a stopped container: as kExport; kWrite: a detached overlay with the upper and
///    work dirs, so new files land in the upper dir with overlayfs' own copy-up.
/// Paths below the fd must be resolved with RESOLVE_IN_ROOT (oci/safe_path.h).
/// A rootless store's builder (root of its user namespace) first moves itself into a mount
/// namespace of its own to be allowed the detached mount; call it before any thread starts.
/// Errors: kUnsupported when no overlay may be mounted at all (no user namespace).
[[nodiscard]] Result<UniqueFd> OpenContainerRootfs(const ContainerStore& store,
                                                   const std::string& id, RootfsUse use);

}  // namespace builder::runner
