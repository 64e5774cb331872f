// Applying a layer blob to a directory: streaming, verified, and safe against hostile tars.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/compression.h"
#include "oci/layer_stream.h"

namespace builder::oci {

struct UnpackOptions {
  /// chown entries to their tar uid/gid. When that is not permitted (EPERM/EINVAL, e.g.
  /// unprivileged), extraction goes on with the caller's ids and one warning is recorded.
  bool preserve_ownership = true;
};

struct UnpackResult {
  LayerDigests digests;               ///< as computed while reading (verified if expected)
  std::uint64_t entries = 0;          ///< tar entries processed
  std::vector<std::string> warnings;  ///< what could not be applied (ownership, devices, ...)
};

/// Applies the layer in `blob_fd` (borrowed, read from its current offset) to the directory
/// `target_dir_fd` (borrowed), which holds the state of the lower layers.
///
/// Semantics (OCI image-spec layer changesets, Docker-compatible where the spec is silent):
///  - Names are cleaned; a leading '/' is dropped (absolute names are relative to the root, as
///    Docker and the OCI spec treat them); "./" entries for the root itself are ignored.
///  - ".wh.<name>" removes <name> from the lower state; ".wh..wh..opq" empties its directory
///    of lower content. Paths created by this same layer are never removed by either, in
///    whatever order the tar lists them. Other ".wh..wh.*" names (aufs metadata) are skipped.
///  - A later entry replaces an earlier one of the same path (a directory over a directory
///    only updates metadata; anything else removes the old path, a whole tree if need be).
///  - Parents are resolved inside the target as the image's processes will see them
///    (ResolveDirInRoot: RESOLVE_IN_ROOT, containerd's RootPath): with a lower `lib -> usr/lib`
///    or `var/run -> /run`, "lib/x" lands at usr/lib/x and "var/run/x" at run/x. A symlink
///    whose target climbs above the root with ".." ("a/l -> ../../etc") is rejected when used
///    as a parent. An entry's own final component is never followed: a symlink there is
///    replaced, not written through. Missing parents are created (0755).
///  - Hard links must name an existing non-directory inside the target; their target path is
///    resolved the same way (its final component not followed: a link to a symlink links it).
///  - Whiteouts and opaque markers resolve their directory the same way too.
///  - Ownership, mode (setuid included, after chown), xattrs (except trusted.overlay.* and
///    user.overlay.*, which could steer overlayfs, and security.selinux), mtimes;
///    directories get their mode and times after all entries. Device nodes that cannot be
///    created (EPERM) are skipped with a warning, as are xattrs that cannot be set.
///
/// Errors: hostile or malformed input fails with kCorrupt and a message naming the entry and
/// the cause ("..", whiteout names, parents through symlinks pointing outside the root or
/// looping, hard-link targets, truncated streams, NUL or overlong names, digest/diff_id
/// mismatch). Nothing is ever written outside the target, but a failed unpack leaves the
/// target partly written: unpack into a staging dir and discard it on error. The digests are
/// checked only once the blob has been read to its end, so a mismatch is reported after
/// extraction.
[[nodiscard]] Result<UnpackResult> UnpackLayer(int blob_fd, Compression compression,
                                               const LayerExpectation& expect, int target_dir_fd,
                                               const UnpackOptions& options = {});
/// Same, opening `target_dir` (which must exist and may not be a symlink).
[[nodiscard]] Result<UnpackResult> UnpackLayer(int blob_fd, Compression compression,
                                               const LayerExpectation& expect,
                                               const std::string& target_dir,
                                               const UnpackOptions& options = {});

}  // namespace builder::oci
