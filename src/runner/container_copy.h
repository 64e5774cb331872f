// ContainerCopy: `builder cp` in both directions, with docker's path rules, every container
// path resolved inside the container's root.
#pragma once

#include <string>

#include "base/error.h"
#include "runner/container_store.h"

namespace builder::runner {

struct CopyOptions {
  bool archive = false;      ///< -a: keep the source's uid/gid (else the copier's / root's)
  bool follow_link = false;  ///< -L: follow a symlink given as the source
};

/// A cp path as typed, split: "a/b/." is b's contents, "a/b/" must be a directory.
struct CopyPath {
  std::string path;            ///< cleaned, without the trailing "/." ("/" for the root)
  bool contents_only = false;  ///< ended in "/." (or is the root)
  bool must_be_dir = false;    ///< ended in '/'
};
CopyPath ParseCopyPath(std::string_view typed);

/// Where a copy lands: the tree is written into `into_dir` with its top entry named `top`
/// ("" = the source directory's contents go straight into `into_dir`).
struct CopyTarget {
  std::string into_dir;
  std::string top;
};
/// docker cp's destination rules (pure): an existing directory receives the source under its
/// own name (its contents for "SRC/."); an existing file is replaced by a file (a directory
/// source is refused: "cannot copy a directory to a file"); a missing path becomes the copy
/// (a file source with a trailing '/' is refused: the directory must exist).
/// `source_name` is the source's last component; `dest_exists`/`dest_is_dir` describe `dest`.
[[nodiscard]] Result<CopyTarget> PlanCopyTarget(bool source_is_dir, bool contents_only,
                                                const std::string& source_name,
                                                const CopyPath& dest, bool dest_exists,
                                                bool dest_is_dir);

/// `cp CONTAINER:SRC DEST`: DEST a host path, or "-" for a tar on stdout. SRC (relative: to the
/// container's working directory) is resolved in
/// the container's root (OpenContainerRootfs kRead): a symlink on the way that climbs out of
/// the root is refused (kCorrupt), absolute ones stay inside it; the final component is
/// copied as a link unless followed (-L, "SRC/", "SRC/.").
[[nodiscard]] Result<void> CopyFromContainer(const ContainerStore& store, const std::string& id,
                                             const std::string& src, const std::string& dest,
                                             const CopyOptions& options);

/// `cp SRC CONTAINER:DEST`: SRC a host path, or "-" for a tar on stdin (DEST must then be a
/// directory). DEST is resolved like SRC above (kWrite); entries are created below it without
/// following anything, so nothing is written outside the container's root.
[[nodiscard]] Result<void> CopyToContainer(const ContainerStore& store, const std::string& id,
                                           const std::string& src, const std::string& dest,
                                           const CopyOptions& options);

}  // namespace builder::runner
