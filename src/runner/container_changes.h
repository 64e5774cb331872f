// ContainerChanges: what a container changed in its root filesystem (`builder diff`), read from
// its overlayfs upper dir against the image's layers, in docker's A/C/D form and order.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace builder::runner {

/// One line of `docker diff`: kind 'A' (added), 'C' (changed) or 'D' (deleted), absolute path.
struct FileChange {
  char kind = 'C';
  std::string path;
  bool operator==(const FileChange&) const = default;
};

/// The changes of `upper_dir` (an overlayfs upper dir: whiteouts are 0/0 character devices,
/// replaced directories carry user.overlay.opaque or trusted.overlay.opaque = "y") over
/// `lower_layers` (topmost first, the same format), with docker's overlay2 semantics:
///  - a whiteout is D; an opaque directory that the lower layers have is D (its new contents
///    follow as A or C);
///  - an entry the lower layers lack is A, one they have is C, except a directory whose size,
///    mode and mtime equal the lower one's (copied up only for its children): not listed;
///  - before an A or D, every ancestor not yet listed is listed as C, top-down;
///  - the order is a depth-first walk with each directory's names sorted bytewise.
/// Errors: kIo when the upper dir cannot be read.
[[nodiscard]] Result<std::vector<FileChange>> ListChanges(
    const std::string& upper_dir, const std::vector<std::string>& lower_layers);

}  // namespace builder::runner
