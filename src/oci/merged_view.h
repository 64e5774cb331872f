// MergedView: reads the union of an image's layer directories the way overlayfs presents them,
// without mounting anything (COPY destinations, and /etc/passwd for builds and the runner, are
// resolved through it).
//
// Why not COPY inside a sandbox with the context bind-mounted: COPY must not depend on the
// image's tools, and the copy loop stays in this process where errors are typed. Instead the
// destination is resolved here, chroot-style (a base's /bin -> usr/bin is followed to
// /usr/bin and never replaced by a directory), and the files are written into a fresh upper
// dir at the resolved path, with the parents copied up with their lower metadata.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace builder::oci {

/// Layer directories, topmost first, in overlayfs upper-dir format (whiteouts are 0/0 character
/// devices, opaque directories carry trusted.overlay.opaque or user.overlay.opaque = "y").
class MergedView {
 public:
  explicit MergedView(std::vector<std::string> layers) : layers_(std::move(layers)) {}

  struct Entry {
    std::string host_path;  ///< where the visible version lives
    struct stat st;
  };
  /// The entry visible at the absolute, clean path `path` (symlinks in it are not followed);
  /// nullopt when absent or whited out.
  std::optional<Entry> Lookup(const std::string& path) const;

  /// Resolves symlinks in `path` inside the view, as chroot would (absolute links restart at the
  /// view's root, ".." stops at it). The final component is followed only when follow_last.
  /// Components that do not exist are kept as written. kInvalidArgument after 40 links.
  [[nodiscard]] Result<std::string> Resolve(const std::string& path, bool follow_last) const;

  /// A small file's content, following symlinks inside the view; kNotFound when absent. Safe
  /// against a running container swapping the path for a symlink meanwhile: the host-side open
  /// follows no link and stays beneath the layer (kInvalidArgument when the path keeps changing,
  /// or for a file over 16 MiB).
  [[nodiscard]] Result<std::string> ReadFile(const std::string& path) const;

  const std::vector<std::string>& layers() const { return layers_; }

 private:
  std::vector<std::string> layers_;
};

}  // namespace builder::oci
