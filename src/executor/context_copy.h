// COPY/ADD from the build context into a fresh upper dir, with Docker's semantics.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "oci/merged_view.h"
#include "executor/url_fetch.h"
#include "filespec/pattern_matcher.h"
#include "planner/step.h"

namespace builder::executor {

/// The build context: a directory and its .dockerignore patterns.
struct BuildContext {
  std::string dir;
  std::optional<filespec::PatternMatcher> ignore;
};

/// Performs `step` into `upper_dir` (empty, becomes the layer), resolving the destination and
/// its parents through `view` (the layers below, topmost first; symlinks in the destination
/// path are followed inside the image, as BuildKit does). Sources never leave the context:
/// a top-level source symlink is followed inside the context, symlinks below a copied directory
/// are copied as symlinks. Files keep their mode and mtime, owners become root (or --chown);
/// parents created get 0755. Errors: `"/x": not found` for a missing or ignored source
/// (kNotFound), a multi-source COPY whose destination is not a directory (kInvalidArgument),
/// a --checksum mismatch (kCorrupt), I/O errors. An ADD URL found in `fetched` (may be null;
/// downloaded for the cache key) is written from there instead of being downloaded again.
[[nodiscard]] Result<void> CopyIntoUpper(const BuildContext& context, const planner::CopyStep& step,
                                         const oci::MergedView& view, const std::string& upper_dir,
                                         const FetchedUrls* fetched = nullptr);

/// mkdir -p of `path` in the view, writing only into upper_dir; new directories get 0755 and
/// uid/gid, existing lower directories are copied up with their own metadata.
[[nodiscard]] Result<std::string> EnsureDirInUpper(const oci::MergedView& view, const std::string& upper_dir,
                                                   const std::string& path, uid_t uid, gid_t gid);

}  // namespace builder::executor
