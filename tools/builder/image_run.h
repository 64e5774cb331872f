// ImageRun: the SandboxSpec that runs an image's entrypoint, shared by `debug run` and `debug spec`.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/image_store.h"
#include "sandbox/sandbox_spec.h"

namespace builder::cli {

/// An image's command prepared for the sandbox: its snapshot as the only lower dir, a scratch
/// dir (holding the upper and work dirs) the caller removes, and the spec.
struct ImageRun {
  std::string rootfs;   ///< the image's unpacked snapshot
  std::string scratch;  ///< under the store's tmp/; remove with oci::RemoveTree when done
  sandbox::SandboxSpec spec;
};

/// Resolves `image` in `store`, prepares its snapshot and builds the spec as a plain
/// `docker run IMAGE [CMD...]` would: Entrypoint + (CMD or the image's Cmd), the image's Env
/// with HOME from its passwd when missing, WorkingDir, User resolved through the image's
/// passwd/group. stdout/stderr are left at -1. Errors: kInvalidArgument "no command specified"
/// when both are empty; the store's and the user lookup's errors.
[[nodiscard]] Result<ImageRun> PrepareImageRun(const oci::ImageStore& store, const std::string& image,
                                               const std::vector<std::string>& cmd);

/// Adds one `-v SRC:DST[:ro|:rw]` to run.spec.binds: SRC an absolute host path (which must
/// exist), or a volume name, which is created when missing and, on first use, filled from the
/// image's content at DST (resolved inside the image's snapshot, never through a symlink out of
/// it). Errors: kInvalidArgument for a malformed flag; the volume store's errors.
[[nodiscard]] Result<void> AddVolumeFlag(const oci::ImageStore& store, const std::string& flag,
                                         ImageRun* run);

}  // namespace builder::cli
